#include "algorithms/round_snapshots.hpp"

#include <algorithm>

namespace dlsim {

RoundSnapshots::RoundSnapshots(std::uint32_t nodes, std::uint64_t every, std::uint64_t last_round)
    : nodes_(nodes), every_(std::max<std::uint64_t>(every, 1)), last_round_(last_round) {}

bool RoundSnapshots::wanted(std::uint64_t round) const {
  return round % every_ == 0 || round == last_round_;
}

bool RoundSnapshots::contribute(std::uint32_t node, std::uint64_t round, SimTime now,
                                std::span<const double> model) {
  std::lock_guard lock(mutex_);
  Entry& entry = entries_[round];
  if (entry.snapshot.models.empty()) {
    entry.snapshot.round = round;
    entry.snapshot.models.resize(nodes_);
  }
  entry.snapshot.models[node].assign(model.begin(), model.end());
  entry.snapshot.completed_at = std::max(entry.snapshot.completed_at, now);
  return ++entry.count == nodes_;
}

std::optional<RoundSnapshot> RoundSnapshots::take_ready() {
  std::lock_guard lock(mutex_);
  if (entries_.empty() || entries_.begin()->second.count != nodes_) return std::nullopt;
  RoundSnapshot snapshot = std::move(entries_.begin()->second.snapshot);
  entries_.erase(entries_.begin());
  return snapshot;
}

}  // namespace dlsim
