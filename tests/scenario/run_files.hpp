// Where the scenario tests write their runs, and reading back what a run wrote.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace dlsim::test {

// build/tests/scenario/test_runs/NAME: one folder per test, rewritten by each run.
inline std::string out_dir(const std::string& name) { return std::string(DLSIM_BINARY_DIR) + "/test_runs/" + name; }

// The whole file, or "" when it does not exist.
inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace dlsim::test
