// How a federated server combines the updates it kept into one update: the
// aggregation policy, separate from who was selected (selection.hpp) and from
// what the server does with the result (server_optimizer.hpp). Robust
// aggregators (median, trimmed mean, Krum) implement the same interface.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include "algorithms/federated/messages.hpp"
#include "sim/node.hpp"

namespace dlsim {

// An update the server kept, with its weight in the average (n_i or 1);
// stale: it arrived after its round closed (late_updates = "stale").
struct KeptUpdate {
  NodeId client = 0;
  double weight = 1.0;
  std::shared_ptr<const ClientUpdate> update;
  bool stale = false;
};

class Aggregator {
 public:
  virtual ~Aggregator() = default;
  virtual std::string_view name() const = 0;
  // out = the combined delta of `updates` (at least one, sorted by client
  // id, weights > 0), as decoded by `codec`. Deterministic: no dependence on
  // arrival order or threads.
  virtual void aggregate(std::span<const KeptUpdate> updates, const VectorCodec& codec,
                         std::span<double> out) const = 0;
  // Its simulated cost on the server for `updates` updates of dimension d.
  virtual ComputeCost cost(std::size_t updates, std::size_t dimension) const = 0;
};

// sum_i w_i Delta_i / sum_i w_i, summed in client-id order (FedAvg).
class WeightedMean final : public Aggregator {
 public:
  std::string_view name() const override { return "mean"; }
  void aggregate(std::span<const KeptUpdate> updates, const VectorCodec& codec, std::span<double> out) const override;
  ComputeCost cost(std::size_t updates, std::size_t dimension) const override;
};

// out += scale * sum_i w_i (c_i^+ - c_i), in client-id order: SCAFFOLD's
// server control variate step, with scale = 1 / (the weights of all clients).
void add_control_deltas(std::span<const KeptUpdate> updates, double scale, std::span<double> out);

}  // namespace dlsim
