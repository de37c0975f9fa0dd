// CSV files with one label column and numeric features.
#pragma once

#include <istream>
#include <optional>
#include <string>

#include "data/dataset.hpp"

namespace dlsim {

// Whether the first non-empty line names the columns.
enum class CsvHeader {
  detect,   // a header when any of its fields is not a number, else the first data row
  present,  // always a header
  absent,   // always data
};

struct CsvOptions {
  CsvHeader header = CsvHeader::detect;
  std::string label_column;  // by name (needs a header); empty: use label_index
  int label_index = -1;      // 0-based column; negative counts from the end (-1: last)
  char delimiter = ',';
  // The training set's mapping, when reading its test set (see LibsvmOptions).
  std::optional<LabelMap> label_map;
};

// Dense data set; labels interpreted by infer_label_map() (or options.label_map).
// Empty lines skipped.
// Throws DataError "PATH:LINE: what" for a file that cannot be opened, an
// unknown label column, a row with the wrong number of fields, a field that
// is not a number or not finite or beyond kMaxDataMagnitude (naming its
// column), or a label that is not a class of options.label_map.
Dataset load_csv(const std::string& path, const CsvOptions& options = {});
Dataset read_csv(std::istream& in, const std::string& name, const CsvOptions& options = {});

}  // namespace dlsim
