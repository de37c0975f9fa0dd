// Coordinate-wise robust statistics: the median and the trimmed mean
// (Yin, Chen, Ramchandran, Bartlett, "Byzantine-robust distributed learning:
// towards optimal statistical rates", ICML 2018). BRIDGE (Yang & Bajwa 2019)
// uses the same two over a neighbourhood in decentralized learning.
#pragma once

#include "robust/aggregator.hpp"

namespace dlsim {

// Per coordinate: the middle value (n odd) or the mean of the two middle ones
// (n even). Ignores weights. Tolerates f < n/2 attackers: the result lies in the
// range of the honest values of each coordinate. Cost: n d log2 n (a sort).
class CoordinateMedian final : public RobustAggregator {
 public:
  std::string name() const override { return "median"; }
  void check_inputs(std::size_t n) const override;
  Eigen::VectorXd aggregate(std::span<const VectorView> inputs, const AggregationContext& context = {}) const override;
  double cost_flops(std::size_t n, std::size_t d) const override { return double(d) * robust_detail::n_log_n(n); }
};

// Per coordinate: drop the `trim` largest and `trim` smallest values and average
// the rest, summed in ascending order. trim = f when given, else floor(beta n).
// Needs n > 2 trim. Ignores weights. Cost: n d log2 n + n d.
class TrimmedMean final : public RobustAggregator {
 public:
  // f >= 0 values trimmed on each side; or, when f < 0, a fraction beta in [0, 0.5).
  TrimmedMean(std::int64_t f, double beta);
  std::string name() const override;
  void check_inputs(std::size_t n) const override;
  Eigen::VectorXd aggregate(std::span<const VectorView> inputs, const AggregationContext& context = {}) const override;
  double cost_flops(std::size_t n, std::size_t d) const override {
    return double(d) * (robust_detail::n_log_n(n) + double(n));
  }
  std::size_t trimmed(std::size_t n) const;

 private:
  std::int64_t f_;
  double beta_;
};

}  // namespace dlsim
