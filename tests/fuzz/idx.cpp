// Fuzzes IDX files (src/data/idx.hpp) the way a scenario with data.kind =
// "fashion-mnist" reads them: the input is an images file, then a line
// "#--labels", then a labels file (IDX is binary, but the reader never sees
// the separator); both are written as train-*-ubyte.gz in a folder for
// load_fashion_mnist (zlib reads plain files too). Accepted or DataError, and
// an accepted pair gives a valid data set (labels within the classes).
#include "data/idx.hpp"
#include "dataset_check.hpp"

using namespace dlsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = fuzz::split_at_line(fuzz::as_text(data, size), "#--labels");
  const std::string images = fuzz::write_temp_file("train-images-idx3-ubyte.gz", parts[0]);
  fuzz::write_temp_file("train-labels-idx1-ubyte.gz", parts.size() > 1 ? parts[1] : std::string_view());
  const std::string folder = images.substr(0, images.rfind('/'));
  Dataset dataset;
  if (fuzz::accepts([&] { dataset = load_fashion_mnist(folder, true); })) fuzz::require_valid_dataset(dataset);
  return 0;
}
