// Internal to src/models: the scratch memory of the linear models (least
// squares, logistic regression, average consensus).
#pragma once

#include <vector>

#include "models/model.hpp"

namespace dlsim::detail {

struct LinearWorkspace final : ModelWorkspace {
  std::vector<double> scalars;  // kChunk margins / residuals / coefficients
};

}  // namespace dlsim::detail
