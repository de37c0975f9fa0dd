// Per-round snapshots of every node's model, for metrics that must see the
// models of one round exactly (consensus distance, the average model) even
// though nodes do not finish a round at the same simulated time.
//
// A node hands in its model when it completes an evaluation round; once all
// nodes have, the snapshot is ready and the run loop evaluates it. Node
// contributions may come from different threads at once (a mutex guards the
// table; each node writes its own slot), so the content never depends on
// thread timing.
//
// With averaging on (metrics.averaged_iterate), every node hands in its model
// after every round, and each snapshot also carries each node's uniform
// (Polyak) average of its iterates of rounds 0..t, summed in round order: the
// averaged iterate of the analyses of SGD on nonsmooth or noisy problems
// (Polyak, Juditsky, "Acceleration of stochastic approximation by
// averaging", SIAM J. Control Optim. 1992). It costs one running sum per node.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "sim/time.hpp"

namespace dlsim {

struct RoundSnapshot {
  std::uint64_t round = 0;
  SimTime completed_at = 0;                // when the last node finished the round
  std::vector<std::vector<double>> models;  // by node id
  // With averaging: by node id, (1 / (round + 1)) sum_{s <= round} x_i^s; else empty.
  std::vector<std::vector<double>> averaged_models;
};

class RoundSnapshots {
 public:
  // Snapshots are taken at rounds 0, every, 2 every, ... and at `last_round`.
  // `averaging`: keep the averaged iterates (every round is then wanted).
  RoundSnapshots(std::uint32_t nodes, std::uint64_t every, std::uint64_t last_round, bool averaging = false);

  // Whether a node should contribute its model after `round` rounds.
  bool wanted(std::uint64_t round) const;
  // Whether `round` is evaluated: 0, every, 2 every, ... and last_round.
  bool evaluated(std::uint64_t round) const;
  // Records node's model after `round` rounds; returns true when this completed
  // a snapshot. With averaging, a node contributes rounds 0, 1, 2, ... in order.
  bool contribute(std::uint32_t node, std::uint64_t round, SimTime now, std::span<const double> model);
  // The earliest complete snapshot, removed from the table; nullopt if none is complete.
  std::optional<RoundSnapshot> take_ready();

 private:
  struct Entry {
    RoundSnapshot snapshot;
    std::uint32_t count = 0;
  };
  std::uint32_t nodes_;
  std::uint64_t every_;
  std::uint64_t last_round_;
  bool averaging_;
  std::vector<std::vector<double>> sums_;  // averaging: by node, sum of its iterates so far
  std::mutex mutex_;
  std::map<std::uint64_t, Entry> entries_;
};

}  // namespace dlsim
