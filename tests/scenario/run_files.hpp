// Where the scenario tests write their runs, and reading back what a run wrote.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace dlsim::test {

// build/tests/scenario/test_runs/PID/NAME: one folder per run name, rewritten
// by each run. ctest runs test cases in parallel processes, and two of them
// may use one name (a helper's): each process writes in a folder of its own,
// removed when it exits.
inline std::string out_dir(const std::string& name) {
  struct ProcessFolder {
    std::string path = std::string(DLSIM_BINARY_DIR) + "/test_runs/" + std::to_string(::getpid());
    ~ProcessFolder() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const ProcessFolder folder;
  return folder.path + "/" + name;
}

// The whole file, or "" when it does not exist.
inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Column `name` of a CSV file with a header line, one number per row; empty
// when the file or the column does not exist.
inline std::vector<double> csv_column(const std::string& path, const std::string& name) {
  std::istringstream csv(read_file(path));
  std::string line, cell;
  std::getline(csv, line);
  std::istringstream header(line);
  std::size_t index = 0, found = ~std::size_t{0};
  for (; std::getline(header, cell, ','); ++index)
    if (cell == name) found = index;
  std::vector<double> values;
  if (found == ~std::size_t{0}) return values;
  while (std::getline(csv, line)) {
    std::istringstream row(line);
    for (std::size_t i = 0; std::getline(row, cell, ','); ++i)
      if (i == found) values.push_back(std::stod(cell));
  }
  return values;
}

// The metrics.csv column `name` of a results folder (empty when it is missing).
inline std::vector<double> metrics_column(const std::string& dir, const std::string& name) {
  return csv_column(dir + "/metrics.csv", name);
}

}  // namespace dlsim::test
