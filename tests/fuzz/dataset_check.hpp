// What every data loader promises of a data set it returns, checked on each
// data set a data fuzz target loads.
#pragma once

#include <cmath>
#include <cstdio>

#include "data/dataset.hpp"
#include "fuzz_support.hpp"

namespace dlsim::fuzz {

// validate() holds (sizes agree, columns < dim, classes in range) and every
// feature and target is finite: non-finite data is bad input (issue 11).
inline void require_valid_dataset(const Dataset& data) {
  try {
    validate(data);
  } catch (const std::invalid_argument& error) {
    std::fprintf(stderr, "fuzz: validate(): %s\n", error.what());
    require(false, "a loaded data set passes validate()");
  }
  for (const float value : data.dense) require(std::isfinite(value), "loaded features are finite");
  for (const float value : data.values) require(std::isfinite(value), "loaded features are finite");
  for (const double target : data.targets) require(std::isfinite(target), "loaded targets are finite");
}

}  // namespace dlsim::fuzz
