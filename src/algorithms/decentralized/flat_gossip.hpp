// Exact gossip average consensus (Boyd, Ghosh, Prabhakar, Shah, "Randomized
// gossip algorithms", IEEE Trans. Inf. Theory 2006, in its synchronous form)
// on flat arrays, for runs of millions of nodes: x_i <- sum_j w_ij x_j, or
// x_i <- x_i + gamma (sum_j w_ij x_j - x_i) with a relaxation gamma != 1.
//
// The same algorithm as GossipSgd's `gossip` with exact messages, no
// timeout, no faults, no Byzantine nodes, no privacy and a fixed symmetric W
// (gossip_sgd.hpp, round_based.hpp), and bit-identical to it: the same
// messages (one per neighbour and round, kVectorMessageHeaderBits + 64 d
// bits, sent in ascending neighbour order), the same events, and the same
// update, w_ii x_i first and then w_ij x_j in ascending neighbour order,
// whatever order the values arrived in. What it drops is the per-node
// machinery those features need (a RoundState with its inbox, maps and
// shared buffers, a MixingRow, a vector per model): per node it keeps
// x_i (8 d bytes), the values of two rounds per neighbour (a neighbour can be
// one round ahead; 16 d bytes per neighbour), two arrival counts, the
// round and a start flag (13 bytes): 53 bytes on a ring with d = 1. With
// d = 1 the value travels inside the event (Message::word); otherwise in a
// shared VectorMessage. The experiment builder selects it
// (scenario/flat_gossip_path.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "algorithms/decentralized/round_based.hpp"
#include "algorithms/round_snapshots.hpp"
#include "topologies/flat_mixing.hpp"

namespace dlsim {

struct FlatGossipConfig {
  std::shared_ptr<const FlatMixing> mixing;
  std::size_t dimension = 1;  // d
  std::uint64_t rounds = 0;   // at most 2^32 - 1
  double gamma = 1.0;         // relaxation; finite and > 0
  // x_i^0, node after node (n d values).
  std::vector<double> initial_models;
};

class FlatGossip final : public DecentralizedAlgorithm {
 public:
  // `snapshots` (may be null) outlives the behaviour. Throws
  // std::invalid_argument on an inconsistent config (check_flat_gossip).
  FlatGossip(FlatGossipConfig config, RoundSnapshots* snapshots);

  void on_start(Context& ctx) override;
  void on_message(Context& ctx, NodeId from, const Message& message) override;

  std::span<const double> model(NodeId node) const override {
    return {x_.data() + std::size_t{node} * dimension_, dimension_};
  }
  std::uint64_t rounds_completed(NodeId node) const override { return round_[node]; }
  std::size_t dimension() const override { return dimension_; }
  // Without a round timeout synchronous rounds do not resume after an outage
  // (the flat path runs without faults anyway).
  bool resumes_on_rejoin(NodeId) const override { return false; }
  std::vector<std::string> waits(const Engine& engine) const override;
  // Node i has sent its value to its degree(i) neighbours once per round it
  // began (round 0 at its start, round r + 1 when it completed round r): the
  // engine's per-node counters are not needed.
  std::optional<std::uint64_t> max_node_bits_sent() const override;

 private:
  void send(Context& ctx, NodeId node);
  // Completes every round whose values have all arrived.
  void advance(Context& ctx, NodeId node);
  // Where the values of `node`'s k-th neighbour for rounds of `parity` go.
  std::size_t slot(NodeId node, std::uint64_t parity, std::size_t k) const;

  std::shared_ptr<const FlatMixing> mixing_;
  const NeighbourTable& graph_;
  std::size_t dimension_;
  std::uint32_t rounds_;
  double gamma_;
  RoundSnapshots* snapshots_;
  std::vector<double> x_;               // n d
  std::vector<double> arrived_;         // 2 d per directed edge: node, round parity, neighbour, component
  std::vector<std::uint32_t> counts_;   // 2 per node: values arrived for rounds of each parity
  std::vector<std::uint32_t> round_;    // per node
  std::vector<std::uint8_t> started_;   // per node: on_start has run (and sent round 0)
};

// Throws std::invalid_argument naming what is wrong with `config` (the
// builder calls it to report bad input before it allocates anything).
void check_flat_gossip(const FlatGossipConfig& config);

}  // namespace dlsim
