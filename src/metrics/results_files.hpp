// Writing result files so that a killed run never leaves one that looks
// complete: content goes to "<path>.tmp" and is renamed over <path>.
#pragma once

#include <string>
#include <vector>

namespace dlsim {

// Writes `content` to path atomically (temporary file, flush, rename).
// Throws std::runtime_error naming the path when it cannot.
void write_file_atomically(const std::string& path, const std::string& content);

// A CSV table built in memory: a fixed header and rows of formatted cells.
// Numbers are printed with the shortest text that reads back to the same
// double, so equal results give byte-identical files.
class CsvTable {
 public:
  explicit CsvTable(std::vector<std::string> columns);
  void add_row(const std::vector<double>& values);  // one value per column
  std::string text() const;
  const std::vector<std::string>& columns() const { return columns_; }
  std::size_t rows() const { return rows_.size(); }

 private:
  std::vector<std::string> columns_;
  std::vector<std::string> rows_;
};

}  // namespace dlsim
