// The geometric median by smoothed Weiszfeld iterations: RFA, robust federated
// aggregation (Pillutla, Kakade, Harchaoui, "Robust aggregation for federated
// learning", IEEE Transactions on Signal Processing 70, 2022, Algorithm 2).
#pragma once

#include "robust/aggregator.hpp"

namespace dlsim {

// argmin_v sum_i w_i max(nu, ||v - x_i||), approximately: starting from the
// weighted mean, v <- sum_i beta_i x_i / sum_i beta_i with
// beta_i = w_i / max(nu, ||v - x_i||), until the objective's relative decrease
// is <= tolerance or `iterations` are done. Breakdown point 1/2.
// Cost: iterations * 4 n d (the worst case is charged, so it is known in advance).
class GeometricMedian final : public RobustAggregator {
 public:
  GeometricMedian(double nu, std::size_t iterations, double tolerance);
  std::string name() const override;
  void check_inputs(std::size_t n) const override;
  Eigen::VectorXd aggregate(std::span<const VectorView> inputs, const AggregationContext& context = {}) const override;
  double cost_flops(std::size_t n, std::size_t d) const override {
    return (2.0 + 4.0 * double(iterations_)) * double(n) * double(d);
  }

 private:
  double nu_;
  std::size_t iterations_;
  double tolerance_;
};

}  // namespace dlsim
