// Clipping aggregators: norm clipping and centered clipping.
#pragma once

#include "robust/aggregator.hpp"

namespace dlsim {

// Mean of the inputs each scaled to norm at most tau: x_i min(1, tau/||x_i||).
// Bounds any one input's influence to tau / n. Ignores weights. Cost: 4 n d.
class NormClipping final : public RobustAggregator {
 public:
  explicit NormClipping(double tau);
  std::string name() const override;
  void check_inputs(std::size_t n) const override;
  Eigen::VectorXd aggregate(std::span<const VectorView> inputs, const AggregationContext& context = {}) const override;
  double cost_flops(std::size_t n, std::size_t d) const override { return 4.0 * double(n) * double(d); }

 private:
  double tau_;
};

// Centered clipping (Karimireddy, He, Jaggi, "Learning from history for
// Byzantine robust optimization", ICML 2021, eq. (2)): from the centre v (the
// previous aggregate, zero when none), repeat `iterations` times
//   v <- v + (1/n) sum_i (x_i - v) min(1, tau / ||x_i - v||).
// With tau = infinity one iteration gives the mean. Ignores weights.
// Cost: iterations * 5 n d.
class CenteredClipping final : public RobustAggregator {
 public:
  CenteredClipping(double tau, std::size_t iterations);
  std::string name() const override;
  void check_inputs(std::size_t n) const override;
  Eigen::VectorXd aggregate(std::span<const VectorView> inputs, const AggregationContext& context = {}) const override;
  double cost_flops(std::size_t n, std::size_t d) const override {
    return 5.0 * double(iterations_) * double(n) * double(d);
  }

 private:
  double tau_;
  std::size_t iterations_;
};

}  // namespace dlsim
