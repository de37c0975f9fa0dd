#include "algorithms/round_snapshots.hpp"

#include <algorithm>

namespace dlsim {

RoundSnapshots::RoundSnapshots(std::uint32_t nodes, std::uint64_t every, std::uint64_t last_round, bool averaging)
    : nodes_(nodes), every_(std::max<std::uint64_t>(every, 1)), last_round_(last_round), averaging_(averaging) {
  if (averaging_) sums_.resize(nodes_);
}

bool RoundSnapshots::evaluated(std::uint64_t round) const {
  return round % every_ == 0 || round == last_round_;
}

bool RoundSnapshots::wanted(std::uint64_t round) const { return averaging_ || evaluated(round); }

bool RoundSnapshots::contribute(std::uint32_t node, std::uint64_t round, SimTime now,
                                std::span<const double> model) {
  std::lock_guard lock(mutex_);
  if (averaging_) {
    std::vector<double>& sum = sums_[node];
    if (sum.empty()) sum.assign(model.size(), 0.0);
    for (std::size_t k = 0; k < sum.size(); ++k) sum[k] += model[k];
  }
  if (!evaluated(round)) return false;
  Entry& entry = entries_[round];
  if (entry.snapshot.models.empty()) {
    entry.snapshot.round = round;
    entry.snapshot.models.resize(nodes_);
    if (averaging_) entry.snapshot.averaged_models.resize(nodes_);
  }
  entry.snapshot.models[node].assign(model.begin(), model.end());
  if (averaging_) {
    std::vector<double>& average = entry.snapshot.averaged_models[node];
    average = sums_[node];
    const double count = static_cast<double>(round) + 1;
    for (double& value : average) value /= count;
  }
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
