// Fuzzes CSV data files (src/data/csv.hpp) with the header detected (what a
// scenario's data.path reads), forced and absent: accepted or DataError, and
// an accepted file gives a valid data set with finite values.
#include <sstream>

#include "data/csv.hpp"
#include "dataset_check.hpp"

using namespace dlsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(fuzz::as_text(data, size));
  for (const CsvHeader header : {CsvHeader::detect, CsvHeader::present, CsvHeader::absent}) {
    std::istringstream in(text);
    CsvOptions options;
    options.header = header;
    Dataset dataset;
    if (fuzz::accepts([&] { dataset = read_csv(in, "fuzz.csv", options); })) fuzz::require_valid_dataset(dataset);
  }
  return 0;
}
