// Per-round snapshots of every node's model, for metrics that must see the
// models of one round exactly (consensus distance, the average model) even
// though nodes do not finish a round at the same simulated time.
//
// A node hands in its model when it completes an evaluation round; once all
// nodes have, the snapshot is ready and the run loop evaluates it. Node
// contributions may come from different threads at once (a mutex guards the
// table; each node writes its own slot), so the content never depends on
// thread timing.
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
};

class RoundSnapshots {
 public:
  // Snapshots are taken at rounds 0, every, 2 every, ... and at `last_round`.
  RoundSnapshots(std::uint32_t nodes, std::uint64_t every, std::uint64_t last_round);

  bool wanted(std::uint64_t round) const;
  // Records node's model after `round` rounds; returns true when this completed the snapshot.
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
  std::mutex mutex_;
  std::map<std::uint64_t, Entry> entries_;
};

}  // namespace dlsim
