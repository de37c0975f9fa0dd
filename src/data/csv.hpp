// CSV files with one label column and numeric features.
#pragma once

#include <istream>
#include <string>

#include "data/dataset.hpp"

namespace dlsim {

struct CsvOptions {
  bool header = true;        // first line names the columns
  std::string label_column;  // by name (needs header); empty: use label_index
  int label_index = -1;      // 0-based column; negative counts from the end (-1: last)
  char delimiter = ',';
};

// Dense data set; labels interpreted by assign_labels(). Empty lines skipped.
// Throws DataError "PATH:LINE: what" for a file that cannot be opened, an
// unknown label column, a row with the wrong number of fields, or a field that
// is not a number (naming its column).
Dataset load_csv(const std::string& path, const CsvOptions& options = {});
Dataset read_csv(std::istream& in, const std::string& name, const CsvOptions& options = {});

}  // namespace dlsim
