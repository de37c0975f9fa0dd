// The (weighted) mean: the non-robust baseline, FedAvg's aggregation.
#pragma once

#include "robust/aggregator.hpp"

namespace dlsim {

// sum_i w_i x_i / sum_i w_i (uniform without weights), summed in input order.
// One attacker moves it arbitrarily far. Cost: 2 n d.
class MeanAggregator final : public RobustAggregator {
 public:
  std::string name() const override { return "mean"; }
  void check_inputs(std::size_t n) const override;
  Eigen::VectorXd aggregate(std::span<const VectorView> inputs, const AggregationContext& context = {}) const override;
  double cost_flops(std::size_t n, std::size_t d) const override { return 2.0 * double(n) * double(d); }
};

}  // namespace dlsim
