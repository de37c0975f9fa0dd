// Fuzzes LIBSVM files (src/data/libsvm.hpp) as a scenario's data.path reads
// them: accepted or DataError, and an accepted file gives a valid data set
// with finite values (fuzz::require_valid_dataset).
#include <sstream>

#include "data/libsvm.hpp"
#include "dataset_check.hpp"

using namespace dlsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in{std::string(fuzz::as_text(data, size))};
  Dataset dataset;
  if (fuzz::accepts([&] { dataset = read_libsvm(in, "fuzz.libsvm"); })) fuzz::require_valid_dataset(dataset);
  return 0;
}
