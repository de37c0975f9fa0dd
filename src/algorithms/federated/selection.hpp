// Who trains in a round: the selection policy of a federated server,
// separate from how the kept updates are combined (aggregation.hpp) and from
// when the server stops waiting (synchronous_rounds.hpp).
//
// Selection is deterministic: its draws come from a counter-based stream
// keyed by (seed, round, "fed.selection"), so the cohort is the same for any
// thread count. Clients the server is still waiting for (busy) are never
// selected, nor are those that `eligible` refuses (not available now, see
// availability.hpp); selecting a client marks it busy.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "algorithms/federated/config.hpp"
#include "sim/node.hpp"

namespace dlsim {

class RandomStream;

class CohortSelector {
 public:
  // `weights` (one per client, > 0) are the sampling weights of `weighted`
  // and of power-of-choice's candidates; `candidates` is its d (0: twice the count).
  CohortSelector(ClientSampling sampling, std::uint64_t seed, std::vector<double> weights,
                 std::uint32_t candidates = 0);

  // Selects min(count, eligible) clients whose busy flag is 0 and that
  // `eligible` accepts (empty: every idle client), sets their flags, and
  // appends them to `out` in selection order. `idle` is the number of zero
  // flags. With `eligible`, uniform rejection gives up after 8 count + 64
  // draws and draws the rest from a scan of the eligible clients (still
  // uniform: each pick is uniform over the eligible clients not yet picked),
  // and round-robin scans the clients once at most. uniform: O(count) expected while count <= idle / 2, else
  // O(N); weighted: O(N) (Efraimidis and Spirakis, "Weighted random sampling
  // with a reservoir", IPL 2006: the count largest u^(1/w)); round-robin:
  // O(clients scanned); power-of-choice: d candidates drawn as by weighted,
  // then the count with the largest `losses` (one per client; ties by id),
  // O(N + d log d); poisson: each client drawn with probability q = min(1,
  // count / N) (one uniform each, busy or not, so its draw is independent of
  // the others), kept if idle and eligible: `count` is then the expected
  // cohort, not a bound. O(N).
  void select(std::uint64_t round, std::uint32_t count, std::vector<std::uint8_t>& busy, std::uint32_t idle,
              std::vector<NodeId>& out, std::span<const float> losses = {},
              const std::function<bool(NodeId)>& eligible = {});

  // Power of choice with a probe: the d candidates alone (d = `candidates`,
  // 0: twice `count`, never fewer than `count`), drawn as by weighted, marked
  // busy and appended to `out`. O(N + d log d).
  void draw_candidates(std::uint64_t round, std::uint32_t count, std::vector<std::uint8_t>& busy, std::uint32_t idle,
                       std::vector<NodeId>& out, const std::function<bool(NodeId)>& eligible = {});

 private:
  // `count` idle clients without replacement, with probabilities proportional to the weights.
  std::vector<NodeId> weighted_draw(RandomStream& rng, std::uint32_t count, const std::vector<std::uint8_t>& busy,
                                    std::uint32_t idle, const std::function<bool(NodeId)>& eligible) const;

  ClientSampling sampling_;
  std::uint64_t seed_;
  std::vector<double> weights_;
  std::uint32_t candidates_;
  NodeId next_ = 0;  // round-robin: where the next scan starts
};

}  // namespace dlsim
