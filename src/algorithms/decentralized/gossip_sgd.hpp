// Synchronous gossip with optional local gradient steps, one node behaviour
// for two algorithms:
//
//  - exact gossip average consensus (Boyd, Ghosh, Prabhakar, Shah, "Randomized
//    gossip algorithms", IEEE Trans. Inf. Theory 2006, in its synchronous
//    form): x_i <- sum_j w_ij x_j;
//  - D-PSGD (Lian, Zhang, Zhang, Hsieh, Zhang, Liu, "Can decentralized
//    algorithms outperform centralized algorithms?", NeurIPS 2017):
//    x_i <- sum_j w_ij x_j - eta * g_i(x_i), with g_i a minibatch gradient at
//    the node's own model, computed as a compute task on the pool.
//
// Synchronization comes only from messages: in round t a node sends x_i^t to
// its neighbours, computes its gradient, and updates once the round-t models
// of all its neighbours have arrived. A slow node delays exactly its
// neighbours (and, through them, the rest of the graph a round later).
// Messages carry the model in fp64: 64 bits per value plus a 64-bit header
// (round number and sender).
#pragma once

#include <tbb/enumerable_thread_specific.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "algorithms/round_snapshots.hpp"
#include "data/dataset.hpp"
#include "data/sampler.hpp"
#include "models/model.hpp"
#include "sim/node.hpp"

namespace dlsim {

// Row i of the mixing matrix W: the node's own weight and its neighbours'.
struct MixingRow {
  double self_weight = 1.0;
  std::vector<NodeId> neighbours;  // ascending
  std::vector<double> weights;     // w_ij, same order
};

struct GossipSgdConfig {
  std::uint32_t nodes = 0;
  std::uint64_t seed = 1;
  std::vector<MixingRow> mixing;
  std::uint64_t rounds = 100;
  bool gradient_steps = true;  // false: exact gossip (no model, data only for x_i^0)
  double learning_rate = 0.1;
  std::size_t batch_size = 32;
  std::shared_ptr<const Model> model;
  SharedDataset train;
  std::vector<std::vector<std::uint32_t>> partition;  // sample indices per node
  // Initial models; empty = model->initialize from the node's stream... shared by all nodes.
  std::vector<std::vector<double>> initial_models;
};

class GossipSgd final : public NodeBehaviour {
 public:
  // `snapshots` outlives the behaviour. Throws std::invalid_argument on an inconsistent config.
  GossipSgd(GossipSgdConfig config, RoundSnapshots& snapshots);
  ~GossipSgd() override;

  void on_start(Context& ctx) override;
  void on_message(Context& ctx, NodeId from, const Message& message) override;
  void on_compute_done(Context& ctx, std::uint64_t tag) override;

  // Between engine calls only (not while the engine runs).
  std::uint64_t rounds_completed(NodeId node) const { return nodes_[node].round; }
  std::span<const double> model(NodeId node) const { return nodes_[node].x; }
  std::size_t dimension() const { return dimension_; }

 private:
  struct NodeState {
    std::vector<double> x;
    std::vector<double> gradient;         // written by the round's compute task
    std::vector<double> incoming[2];      // sum_j w_ij x_j for rounds t and t + 1
    std::uint32_t received[2] = {0, 0};
    std::uint64_t round = 0;
    bool gradient_ready = false;
    std::unique_ptr<MinibatchSampler> sampler;
    std::unique_ptr<RandomStream> sampler_stream;
  };

  void begin_round(Context& ctx, NodeState& node);
  void try_finish_round(Context& ctx, NodeState& node);
  double weight_of(NodeId node, NodeId neighbour) const;

  GossipSgdConfig config_;
  RoundSnapshots& snapshots_;
  std::size_t dimension_;
  std::vector<NodeState> nodes_;
  std::shared_ptr<tbb::enumerable_thread_specific<std::unique_ptr<ModelWorkspace>>> workspaces_;
};

}  // namespace dlsim
