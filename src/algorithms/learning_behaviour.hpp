// What the run loop sees of a family's node behaviour (decentralized nodes, a
// federated server and its clients): the models that metrics evaluate and the
// figures the family adds to metrics.csv and summary.json.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sim/node.hpp"

namespace dlsim {

class Engine;

class LearningBehaviour : public NodeBehaviour {
 public:
  // The evaluated models, index < the experiment's evaluated_models: every
  // node's for decentralized algorithms, the server's (index 0) for federated
  // ones. Between engine calls only (not while the engine runs).
  virtual std::span<const double> model(NodeId index) const = 0;
  virtual std::uint64_t rounds_completed(NodeId index) const = 0;
  virtual std::size_t dimension() const = 0;

  // Appends the values of the family's own metric columns (the experiment's
  // metric_columns) for the evaluation after `round`. Between engine calls only.
  virtual void metric_values(std::uint64_t /*round*/, std::vector<double>& /*row*/) const {}
  // Figures for summary.json, under the family's name; host-independent.
  virtual std::vector<std::pair<std::string, double>> summary_figures() const { return {}; }

  // Whether `node`, back from a churn outage, takes up its work again
  // (asynchronous algorithms until their last step, a federated client at its
  // next selection) or stays idle (synchronous rounds without a round timeout). The run loop
  // asks when only churn is left (see algorithms/decentralized/stall.hpp).
  virtual bool resumes_on_rejoin(NodeId /*node*/) const { return true; }
  // For a run in which no node can make progress any more: one clause per
  // unfinished node, e.g. "node 3 waits for round-5 messages from 7, 9", the
  // nodes that block others (down, crashed, idle after an outage) first, then
  // by round and node id. Between engine calls only.
  virtual std::vector<std::string> waits(const Engine& /*engine*/) const { return {}; }
  // The most bits one node has sent so far, for a behaviour that knows it
  // exactly (then the engine's per-node counters, 48 bytes a node, can stay
  // off); nullopt: the run loop asks the engine. Between engine calls only.
  virtual std::optional<std::uint64_t> max_node_bits_sent() const { return std::nullopt; }
  // For a run that would stall: hands in, for each node that crashed for good,
  // its last model for the evaluation rounds it will never reach, where the
  // family lets the others carry on without it (synchronous rounds with a
  // round timeout), so that those evaluations complete. Returns whether it
  // handed anything in (once per node). Between engine calls only.
  virtual bool stand_in_for_crashed(const Engine& /*engine*/) { return false; }
};

}  // namespace dlsim
