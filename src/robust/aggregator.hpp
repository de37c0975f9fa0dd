// Robust aggregators: plain functions from a set of n vectors of dimension d
// to one vector, with a compute cost in flops. The federated server and robust
// gossip use the same objects (DESIGN.md 4, "Robustness").
//
// Determinism: every aggregator is single-threaded and sums in input order (or
// in a sorted order that depends only on the values), so its output is a pure
// function of its inputs and, for bucketing, of the stream it is handed.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <span>
#include <string>

#include "sim/random.hpp"

namespace dlsim {

using VectorView = std::span<const double>;

// What an aggregation may use besides the inputs. Everything is optional.
struct AggregationContext {
  // Per-input weights (e.g. data sizes); empty means uniform. Only the mean and
  // the geometric median are weighted; the others state that they ignore them.
  std::span<const double> weights = {};
  // The previous aggregate, the centre of centered clipping; empty means zero.
  std::span<const double> centre = {};
  // The stream of randomised aggregators (bucketing); nullptr if none needs one.
  RandomStream* rng = nullptr;
};

class RobustAggregator {
 public:
  virtual ~RobustAggregator() = default;
  // Kind and parameters, e.g. "krum(f=2, m=1)".
  virtual std::string name() const = 0;
  // Throws std::invalid_argument naming the aggregator when it cannot run on n
  // inputs (e.g. Krum needs n > 2f + 2) and saying why.
  virtual void check_inputs(std::size_t n) const = 0;
  // The aggregate of `inputs` (all of one dimension d >= 0, n >= 1).
  virtual Eigen::VectorXd aggregate(std::span<const VectorView> inputs, const AggregationContext& context = {}) const = 0;
  // Floating-point operations of one aggregate() on n inputs of dimension d,
  // for the engine's compute tasks. Non-decreasing in n and in d.
  virtual double cost_flops(std::size_t n, std::size_t d) const = 0;
};

namespace robust_detail {
// Checks n >= 1 and equal sizes; returns d. Throws std::invalid_argument naming `who`.
std::size_t check_shape(std::string_view who, std::span<const VectorView> inputs);
// Unweighted mean, summed in input order.
Eigen::VectorXd mean_of(std::span<const VectorView> inputs);
// ||a - b||^2.
double squared_distance(VectorView a, VectorView b);
inline Eigen::Map<const Eigen::VectorXd> as_eigen(VectorView v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data(), Eigen::Index(v.size()));
}
// n log2 n with log2 1 counted as 1, so costs stay positive and monotone.
double n_log_n(std::size_t n);
}  // namespace robust_detail

}  // namespace dlsim
