// Cohort selection; see selection.hpp.
#include "algorithms/federated/selection.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "sim/random.hpp"

namespace dlsim {

CohortSelector::CohortSelector(ClientSampling sampling, std::uint64_t seed, std::vector<double> weights,
                               std::uint32_t candidates)
    : sampling_(sampling), seed_(seed), weights_(std::move(weights)), candidates_(candidates) {
  if (sampling_ == ClientSampling::weighted || sampling_ == ClientSampling::power_of_choice)
    for (double weight : weights_)
      if (!(weight > 0) || !std::isfinite(weight)) throw std::invalid_argument("sampling weights must be positive");
}

std::vector<NodeId> CohortSelector::weighted_draw(RandomStream& rng, std::uint32_t count,
                                                  const std::vector<std::uint8_t>& busy, std::uint32_t idle,
                                                  const std::function<bool(NodeId)>& eligible) const {
  // Key log(u) / w for every client (one draw each, busy or not, so a
  // client's key does not depend on the others' state); the `count` largest
  // keys among idle clients, ties by id.
  const auto clients = static_cast<NodeId>(busy.size());
  std::vector<std::pair<double, NodeId>> keyed;
  keyed.reserve(idle);
  for (NodeId client = 0; client < clients; ++client) {
    const double u = (static_cast<double>(rng.next_u64() >> 11) + 0.5) * 0x1.0p-53;
    if (!busy[client] && (!eligible || eligible(client))) keyed.emplace_back(std::log(u) / weights_[client], client);
  }
  count = std::min<std::uint32_t>(count, static_cast<std::uint32_t>(keyed.size()));
  auto larger = [](const std::pair<double, NodeId>& a, const std::pair<double, NodeId>& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  std::partial_sort(keyed.begin(), keyed.begin() + count, keyed.end(), larger);
  std::vector<NodeId> drawn(count);
  for (std::uint32_t i = 0; i < count; ++i) drawn[i] = keyed[i].second;
  return drawn;
}

void CohortSelector::select(std::uint64_t round, std::uint32_t count, std::vector<std::uint8_t>& busy,
                            std::uint32_t idle, std::vector<NodeId>& out, std::span<const float> losses,
                            const std::function<bool(NodeId)>& eligible) {
  const auto clients = static_cast<NodeId>(busy.size());
  // The round sits in the stream's counter: every round draws from its own blocks.
  RandomStream rng(seed_, round, purpose_id("fed.selection"));
  if (sampling_ == ClientSampling::poisson) {
    // One uniform per client, busy or not, in id order: a client's inclusion
    // is independent of every other client's and of their state.
    const double q = clients == 0 ? 0.0 : std::min(1.0, static_cast<double>(count) / static_cast<double>(clients));
    for (NodeId client = 0; client < clients; ++client) {
      const bool drawn = rng.uniform() < q;
      if (drawn && !busy[client] && (!eligible || eligible(client))) {
        busy[client] = 1;
        out.push_back(client);
      }
    }
    return;
  }
  count = std::min(count, idle);
  if (count == 0) return;
  auto take = [&](NodeId client) {
    busy[client] = 1;
    out.push_back(client);
  };
  switch (sampling_) {
    case ClientSampling::uniform: {
      if (2 * static_cast<std::uint64_t>(count) <= idle) {
        // Rejection: at least half the draws land on an idle client. Few
        // eligible clients could make it slow (or endless), hence the budget.
        std::uint64_t budget = eligible ? 8 * static_cast<std::uint64_t>(count) + 64 : ~std::uint64_t{0};
        for (; count > 0 && budget > 0; --budget) {
          const auto client = static_cast<NodeId>(rng.uniform_int(clients));
          if (busy[client] || (eligible && !eligible(client))) continue;
          take(client);
          --count;
        }
        if (count == 0) return;
      }
      std::vector<NodeId> candidates;
      candidates.reserve(idle);
      for (NodeId client = 0; client < clients; ++client)
        if (!busy[client] && (!eligible || eligible(client))) candidates.push_back(client);
      count = std::min<std::uint32_t>(count, static_cast<std::uint32_t>(candidates.size()));
      // A partial Fisher-Yates shuffle: the first `count` of a uniform permutation.
      for (std::uint32_t i = 0; i < count; ++i) {
        const std::size_t j = i + static_cast<std::size_t>(rng.uniform_int(candidates.size() - i));
        std::swap(candidates[i], candidates[j]);
        take(candidates[i]);
      }
      return;
    }
    case ClientSampling::weighted:
      for (NodeId client : weighted_draw(rng, count, busy, idle, eligible)) take(client);
      return;
    case ClientSampling::power_of_choice: {
      const std::uint32_t d = std::max(count, candidates_ > 0 ? candidates_ : 2 * count);
      std::vector<NodeId> drawn = weighted_draw(rng, d, busy, idle, eligible);
      count = std::min<std::uint32_t>(count, static_cast<std::uint32_t>(drawn.size()));
      if (losses.size() != busy.size()) throw std::invalid_argument("power of choice needs a loss per client");
      std::stable_sort(drawn.begin(), drawn.end(), [&](NodeId a, NodeId b) {
        return losses[a] > losses[b] || (losses[a] == losses[b] && a < b);
      });
      for (std::uint32_t i = 0; i < count; ++i) take(drawn[i]);
      return;
    }
    case ClientSampling::round_robin: {
      for (std::uint32_t chosen = 0, scanned = 0; chosen < count && scanned < clients;
           next_ = (next_ + 1) % clients, ++scanned) {
        if (busy[next_] || (eligible && !eligible(next_))) continue;
        take(next_);
        ++chosen;
      }
      return;
    }
    case ClientSampling::poisson: return;  // drawn above
  }
}

void CohortSelector::draw_candidates(std::uint64_t round, std::uint32_t count, std::vector<std::uint8_t>& busy,
                                     std::uint32_t idle, std::vector<NodeId>& out,
                                     const std::function<bool(NodeId)>& eligible) {
  count = std::min(count, idle);
  if (count == 0) return;
  // The same stream and draw as select()'s power of choice: the same candidates.
  RandomStream rng(seed_, round, purpose_id("fed.selection"));
  const std::uint32_t d = std::max(count, candidates_ > 0 ? candidates_ : 2 * count);
  for (NodeId client : weighted_draw(rng, d, busy, idle, eligible)) {
    busy[client] = 1;
    out.push_back(client);
  }
}

}  // namespace dlsim
