// What a run's nodes have spent of their privacy, for metrics and stopping.
//
// Sample-level DP protects each node's own data set: node i's guarantee
// composes its own DP-SGD steps, each a Poisson-sampled Gaussian mechanism of
// rate q_i = batch_size / n_i. The ledger reports the worst node's bound,
// computed at the largest rate and the largest step count over the nodes
// (epsilon grows with both, so this bounds every node's epsilon; it is exact
// when the nodes share n_i and step together, as synchronous decentralized
// rounds do). Steps are recorded when a node starts them, in its own event
// handler, so the counts are a pure function of simulated time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "privacy/renyi_accountant.hpp"
#include "sim/node.hpp"

namespace dlsim {

class PrivacyLedger {
 public:
  // One sampling rate per node, each in (0, 1]; noise multiplier sigma > 0;
  // delta in (0, 1). Throws std::invalid_argument otherwise.
  PrivacyLedger(std::vector<double> sampling_rates, double noise_multiplier, double delta);

  // Node `node` starts `steps` more DP steps. Each node's handler writes only
  // its own entry, so nodes may call this concurrently.
  void record_steps(NodeId node, std::uint64_t steps = 1) { steps_[node] += steps; }
  // Forgets every step (a run that starts afresh).
  void reset() { std::fill(steps_.begin(), steps_.end(), 0); }

  // The most steps any node has started.
  std::uint64_t max_steps() const;
  // (epsilon, delta) of the worst node after `steps` steps: q = max q_i. O(orders).
  PrivacySpent spent_after(std::uint64_t steps) const;
  PrivacySpent spent() const { return spent_after(max_steps()); }

  double largest_sampling_rate() const { return largest_rate_; }
  double noise_multiplier() const { return noise_multiplier_; }
  double delta() const { return delta_; }

 private:
  std::vector<double> rates_;
  std::vector<std::uint64_t> steps_;
  double largest_rate_ = 0;
  double noise_multiplier_;
  double delta_;
  std::vector<double> step_rdp_;  // one step's RDP at the largest rate, per default order
};

}  // namespace dlsim
