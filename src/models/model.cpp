// Defaults shared by the models.
#include "models/model.hpp"

#include <algorithm>
#include <limits>

namespace dlsim {

double Model::accuracy(std::span<const double>, const Dataset&, Batch, ModelWorkspace&) const {
  return std::numeric_limits<double>::quiet_NaN();
}

void Model::initialize(std::span<double> x, RandomStream&) const { std::fill(x.begin(), x.end(), 0.0); }

}  // namespace dlsim
