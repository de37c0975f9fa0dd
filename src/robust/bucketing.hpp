// Bucketing (Karimireddy, He, Jaggi, "Byzantine-robust learning on
// heterogeneous datasets via bucketing", ICLR 2022, Algorithm 1).
#pragma once

#include <memory>

#include "robust/aggregator.hpp"

namespace dlsim {

// Randomly permutes the n inputs (a shuffle drawn from context.rng), averages
// consecutive groups of s (the last may be smaller: ceil(n/s) buckets) and hands
// the bucket means to the inner aggregator, with the same centre. s = 1 draws
// nothing and is exactly the inner aggregator. Weights are not used.
// Cost: n d + the inner cost on ceil(n/s) inputs.
class Bucketing final : public RobustAggregator {
 public:
  Bucketing(std::size_t bucket_size, std::unique_ptr<RobustAggregator> inner);
  std::string name() const override;
  void check_inputs(std::size_t n) const override;
  Eigen::VectorXd aggregate(std::span<const VectorView> inputs, const AggregationContext& context = {}) const override;
  double cost_flops(std::size_t n, std::size_t d) const override;
  std::size_t buckets(std::size_t n) const { return (n + s_ - 1) / s_; }

 private:
  std::size_t s_;
  std::unique_ptr<RobustAggregator> inner_;
};

}  // namespace dlsim
