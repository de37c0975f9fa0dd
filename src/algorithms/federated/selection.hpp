// Who trains in a round: the selection policy of a federated server,
// separate from how the kept updates are combined (aggregation.hpp) and from
// when the server stops waiting (synchronous_rounds.hpp).
//
// Selection is deterministic: its draws come from a counter-based stream
// keyed by (seed, round, "fed.selection"), so the cohort is the same for any
// thread count. Clients the server is still waiting for (busy) are never
// selected; selecting a client marks it busy.
#pragma once

#include <cstdint>
#include <vector>

#include "algorithms/federated/config.hpp"
#include "sim/node.hpp"

namespace dlsim {

class CohortSelector {
 public:
  // `weights` (one per client, > 0) are the sampling weights of `weighted`.
  CohortSelector(ClientSampling sampling, std::uint64_t seed, std::vector<double> weights);

  // Selects min(count, idle) clients whose busy flag is 0, sets their flags,
  // and appends them to `out` in selection order. `idle` is the number of
  // zero flags. uniform: O(count) expected while count <= idle / 2, else
  // O(N); weighted: O(N) (Efraimidis and Spirakis, "Weighted random sampling
  // with a reservoir", IPL 2006: the count largest u^(1/w)); round-robin:
  // O(clients scanned).
  void select(std::uint64_t round, std::uint32_t count, std::vector<std::uint8_t>& busy, std::uint32_t idle,
              std::vector<NodeId>& out);

 private:
  ClientSampling sampling_;
  std::uint64_t seed_;
  std::vector<double> weights_;
  NodeId next_ = 0;  // round-robin: where the next scan starts
};

}  // namespace dlsim
