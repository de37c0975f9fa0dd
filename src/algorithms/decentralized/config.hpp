// What every decentralized algorithm is given: the nodes' mixing weights
// (fixed or one W per round), where minibatches come from, the model, the
// local optimiser, the message encoding and the number of rounds.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "algorithms/batch_source.hpp"
#include "algorithms/decentralized/robust_gossip.hpp"
#include "algorithms/local_optimizer.hpp"
#include "compress/compressor.hpp"
#include "data/dataset.hpp"
#include "models/model.hpp"
#include "privacy/dp_sgd.hpp"
#include "privacy/local_dp.hpp"
#include "robust/byzantine_attack.hpp"
#include "sim/node.hpp"

namespace dlsim {

// Row i of a mixing matrix W: the node's own weight and its neighbours'
// (the nodes it hears from). With a directed W (column stochastic, push-sum
// and SGP) these are its in-neighbours j with W_ij = the share j sends to i,
// and `receivers` lists its out-neighbours, the nodes it sends to.
struct MixingRow {
  double self_weight = 1.0;
  std::vector<NodeId> neighbours;  // ascending
  std::vector<double> weights;     // w_ij, same order
  std::vector<NodeId> receivers;   // directed W only: ascending out-neighbours
};

// One W for every round, or a periodic sequence of them (time-varying
// topologies such as the one-peer exponential graph): round t uses
// period[t mod period.size()].
struct MixingSchedule {
  std::vector<std::vector<MixingRow>> period;  // [round in period][node]
  bool directed = false;  // W column stochastic, not symmetric: nodes send to MixingRow::receivers

  // The nodes `node` sends to in `round`: its out-neighbours, or its neighbours for a symmetric W.
  const std::vector<NodeId>& receivers(NodeId node, std::uint64_t round) const {
    const MixingRow& r = row(node, round);
    return directed ? r.receivers : r.neighbours;
  }

  bool time_varying() const { return period.size() > 1; }
  const MixingRow& row(NodeId node, std::uint64_t round) const { return period[round % period.size()][node]; }
  // w_ij in `round`; throws std::logic_error if j is not a neighbour of i then.
  double weight(NodeId node, NodeId neighbour, std::uint64_t round) const;
};

// What a node back from a churn outage starts from (with a round timeout; see
// "Timeouts and churn" in round_based.hpp): its own model as it was, or the
// average of the models its neighbours send in the round it catches up to.
enum class RejoinModel { keep, average };

// The two published forms of CHOCO-SGD (see choco.hpp).
enum class ChocoVariant { icml2019, iclr2020 };

// When d-psgd takes its gradient step (see gossip_sgd.hpp): while the models
// travel, x <- W x - eta d(x) (overlapped, the default), or before it sends,
// x <- W (x - eta d(x)) (gradient_then_gossip, the order of D-PSGD's analysis).
enum class GossipOrder { overlapped, gradient_then_gossip };

struct DecentralizedConfig {
  std::uint32_t nodes = 0;
  std::uint64_t seed = 1;
  MixingSchedule mixing;
  std::uint64_t rounds = 100;
  std::shared_ptr<const Model> model;
  BatchSource batches;           // unused by pure consensus algorithms
  std::size_t batch_size = 32;
  LocalOptimizerConfig optimizer;
  std::shared_ptr<const Compressor> compressor;  // null: exact fp64 messages
  double gamma = 1.0;                            // consensus step size (CHOCO, Q1/Q2 gossip)
  std::uint64_t local_steps = 1;                 // local-sgd: gradient steps per gossip step
  ChocoVariant choco_variant = ChocoVariant::icml2019;  // choco-sgd
  // sgp: a round-t message is mixed in round t + overlap (0: SGP, which waits
  // for round t's; tau >= 1: tau-overlap SGP, see push_sum.hpp).
  std::uint64_t overlap = 0;
  GossipOrder order = GossipOrder::overlapped;          // d-psgd
  // ad-psgd: how long a node waits for its peer's reply before it takes its
  // gradient step alone (0 = for ever; right when no message can be lost).
  SimTime reply_timeout = 0;
  // Synchronous rounds: how long a node that is ready to mix waits for its
  // neighbours' messages before it completes the round with those it has
  // (0 = for ever); see "Timeouts and churn" in round_based.hpp.
  SimTime round_timeout = 0;
  RejoinModel rejoin = RejoinModel::keep;  // with a round timeout only
  // Initial models, one per node; empty: the model's initialisation from the
  // seed, the same at every node.
  std::vector<std::vector<double>> initial_models;
  // Byzantine nodes (ascending ids) and their attack; see "Byzantine nodes" in
  // round_based.hpp. Only the kinds whose AlgorithmKind::byzantine is set run them.
  std::vector<NodeId> byzantine;
  AttackConfig attack;
  // How honest nodes combine their neighbours' models (gossip and d-psgd).
  RobustGossipConfig robust;
  // Sample-level DP-SGD for every gradient the nodes compute (see privacy/dp_sgd.hpp).
  SamplePrivacy privacy;
  // Local DP on messages: every honest node clips and noises the model it
  // sends (privacy/local_dp.hpp, the model form); only kinds whose messages
  // are the sender's exact model (AlgorithmKind::model_messages).
  MessagePrivacy message_privacy;
};

}  // namespace dlsim
