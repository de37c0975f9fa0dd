#include "robust/aggregator.hpp"

#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace dlsim::robust_detail {

std::size_t check_shape(std::string_view who, std::span<const VectorView> inputs) {
  if (inputs.empty()) throw std::invalid_argument(fmt::format("{}: no inputs to aggregate", who));
  const std::size_t d = inputs[0].size();
  for (std::size_t i = 1; i < inputs.size(); ++i)
    if (inputs[i].size() != d)
      throw std::invalid_argument(fmt::format("{}: input {} has dimension {}, input 0 has {}", who, i, inputs[i].size(), d));
  return d;
}

Eigen::VectorXd mean_of(std::span<const VectorView> inputs) {
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(Eigen::Index(inputs[0].size()));
  for (const auto& x : inputs) sum += as_eigen(x);
  return sum / double(inputs.size());
}

double squared_distance(VectorView a, VectorView b) {
  double sum = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    const double diff = a[k] - b[k];
    sum += diff * diff;
  }
  return sum;
}

double n_log_n(std::size_t n) { return double(n) * std::max(1.0, std::log2(double(std::max<std::size_t>(n, 2)))); }

}  // namespace dlsim::robust_detail
