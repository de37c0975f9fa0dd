// Defaults shared by the models.
#include "models/model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/random.hpp"

namespace dlsim {

double Model::accuracy(std::span<const double>, const Dataset&, Batch, ModelWorkspace&) const {
  return std::numeric_limits<double>::quiet_NaN();
}

void Model::initialize(std::span<double> x, RandomStream&) const { std::fill(x.begin(), x.end(), 0.0); }

void Model::initialize_random(std::span<double> x, RandomStream& rng) const {
  const double stddev = 1.0 / std::sqrt(static_cast<double>(std::max<std::size_t>(x.size(), 1)));
  for (double& value : x) value = stddev * rng.normal();
}

}  // namespace dlsim
