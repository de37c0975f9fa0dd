#include "robust/mean.hpp"

#include <fmt/format.h>
#include <stdexcept>

namespace dlsim {

void MeanAggregator::check_inputs(std::size_t n) const {
  if (n == 0) throw std::invalid_argument("mean: no inputs to aggregate");
}

Eigen::VectorXd MeanAggregator::aggregate(std::span<const VectorView> inputs, const AggregationContext& context) const {
  robust_detail::check_shape(name(), inputs);
  if (context.weights.empty()) return robust_detail::mean_of(inputs);
  if (context.weights.size() != inputs.size())
    throw std::invalid_argument(fmt::format("mean: {} weights for {} inputs", context.weights.size(), inputs.size()));
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(Eigen::Index(inputs[0].size()));
  double total = 0.0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    sum += context.weights[i] * robust_detail::as_eigen(inputs[i]);
    total += context.weights[i];
  }
  if (!(total > 0.0)) throw std::invalid_argument("mean: weights must sum to a positive value");
  return sum / total;
}

}  // namespace dlsim
