#include "robust/geometric_median.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>
#include <vector>

namespace dlsim {

GeometricMedian::GeometricMedian(double nu, std::size_t iterations, double tolerance)
    : nu_(nu), iterations_(iterations), tolerance_(tolerance) {
  if (!(nu > 0.0 && std::isfinite(nu)))
    throw std::invalid_argument(fmt::format("geometric-median: parameter 'nu' must be > 0, got {}", nu));
  if (!(tolerance >= 0.0))
    throw std::invalid_argument(fmt::format("geometric-median: parameter 'tolerance' must be >= 0, got {}", tolerance));
}

std::string GeometricMedian::name() const {
  return fmt::format("geometric-median(nu={}, iterations={}, tolerance={})", nu_, iterations_, tolerance_);
}

void GeometricMedian::check_inputs(std::size_t n) const {
  if (n == 0) throw std::invalid_argument("geometric-median: no inputs to aggregate");
}

Eigen::VectorXd GeometricMedian::aggregate(std::span<const VectorView> inputs, const AggregationContext& context) const {
  const std::size_t d = robust_detail::check_shape("geometric-median", inputs);
  const std::size_t n = inputs.size();
  std::vector<double> weights(context.weights.begin(), context.weights.end());
  if (weights.empty()) weights.assign(n, 1.0);
  if (weights.size() != n)
    throw std::invalid_argument(fmt::format("geometric-median: {} weights for {} inputs", weights.size(), n));
  auto objective = [&](const Eigen::VectorXd& v) {
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i)
      sum += weights[i] * std::max(nu_, (v - robust_detail::as_eigen(inputs[i])).norm());
    return sum;
  };
  Eigen::VectorXd v = Eigen::VectorXd::Zero(Eigen::Index(d));
  double total = 0.0;
  for (std::size_t i = 0; i < n; ++i) v += weights[i] * robust_detail::as_eigen(inputs[i]), total += weights[i];
  v /= total;
  double value = objective(v);
  for (std::size_t iteration = 0; iteration < iterations_; ++iteration) {
    Eigen::VectorXd next = Eigen::VectorXd::Zero(Eigen::Index(d));
    double beta_sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double beta = weights[i] / std::max(nu_, (v - robust_detail::as_eigen(inputs[i])).norm());
      next += beta * robust_detail::as_eigen(inputs[i]);
      beta_sum += beta;
    }
    v = next / beta_sum;
    const double next_value = objective(v);
    const bool converged = std::abs(value - next_value) <= tolerance_ * next_value;
    value = next_value;
    if (converged) break;
  }
  return v;
}

}  // namespace dlsim
