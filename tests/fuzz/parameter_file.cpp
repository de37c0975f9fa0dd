// Fuzzes parameter files (models/parameter_file.hpp: one number per line, as
// model.init = "file:PATH" names them). The dimension asked for is the
// number of lines and a few around it, so that well-formed files are
// accepted. Accepted or std::invalid_argument, and an accepted file gives
// exactly `dimension` finite values.
#include <cmath>

#include "fuzz_support.hpp"
#include "models/parameter_file.hpp"

using namespace dlsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  const std::string path = fuzz::write_temp_file("parameters.txt", text);
  std::size_t lines = 0;
  for (const char c : text) lines += c == '\n';
  for (const std::size_t dimension : {lines, lines + 1, lines > 0 ? lines - 1 : 0, std::size_t{0}, std::size_t{3}}) {
    std::vector<double> values;
    if (!fuzz::accepts([&] { values = read_parameter_file(path, dimension); })) continue;
    fuzz::require(values.size() == dimension, "a parameter file gives one value per parameter");
    for (const double value : values) fuzz::require(std::isfinite(value), "parameter values are finite");
  }
  return 0;
}
