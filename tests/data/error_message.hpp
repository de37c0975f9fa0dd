// Shared by the loader tests: the message of the DataError a call throws.
#pragma once

#include <string>

#include "data/dataset.hpp"

namespace dlsim::testing {

template <typename F>
std::string data_error(F&& load) {
  try {
    load();
  } catch (const DataError& e) {
    return e.what();
  }
  return "no DataError";
}

inline std::string fixture(const std::string& relative) { return std::string(DLSIM_TEST_DATA_DIR) + "/" + relative; }

}  // namespace dlsim::testing
