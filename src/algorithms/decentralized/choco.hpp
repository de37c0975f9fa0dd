// CHOCO-Gossip and CHOCO-SGD: gossip with compressed messages that converges
// at the rate of exact gossip up to a factor in the compression quality
// (Koloskova, Stich, Jaggi, "Decentralized stochastic optimization and gossip
// algorithms with compressed communication", ICML 2019, Algorithms 1 and 2;
// Koloskova, Lin, Stich, Jaggi, "Decentralized deep learning with arbitrary
// communication compression", ICLR 2020, Algorithm 1).
//
// Every node keeps a public copy x_hat_i of its model that all its neighbours
// also hold; it sends only q_i = Q(x_i - x_hat_i), and everyone adds the
// decoded q_i to their copy of x_hat_i. Instead of one copy per neighbour a
// node keeps s_i = sum_j w_ij x_hat_j (itself included), updated with the
// weighted decoded messages: three vectors per node (x, x_hat, s) whatever the
// degree. Round t:
//
//  ICML 2019 (Algorithm 2; Algorithm 1 without the gradient step):
//    x_i <- x_i - eta_t d_i                   (gradient at x_i; CHOCO-SGD only)
//    q_i = Q(x_i - x_hat_i); send q_i; x_hat_i += q_i; s_i += sum_j w_ij q_j
//    x_i <- x_i + gamma (s_i - x_hat_i)       (= gamma sum_j w_ij (x_hat_j - x_hat_i))
//  ICLR 2020 (the deep-learning variant; the gossip step uses the x_hat of
//  the previous round, so the next gradient overlaps with communication):
//    x_i <- x_i - eta_t d_i + gamma (s_i - x_hat_i)
//    q_i = Q(x_i - x_hat_i); send q_i; x_hat_i += q_i; s_i += sum_j w_ij q_j
//
// With a round timeout a node may complete a round without q_j (lost, late,
// or j down), or come back from an outage having missed its neighbours'
// increments: its copy of x_hat_j then lags j's own for good. It asks j for
// its full public copy and replaces its copy by it (round_based.hpp, "Public
// copies"); for that each node also keeps its copy of each neighbour's x_hat
// (degree + 3 vectors), only with a round timeout.
//
// x_hat starts at 0, so sum_i x_hat_i evolves as sum_i of the decoded q_i and,
// for a symmetric doubly stochastic W, the gossip steps preserve the average
// of the x_i exactly (up to rounding): the invariant the tests check.
#pragma once

#include "algorithms/decentralized/round_based.hpp"

namespace dlsim {

class Choco final : public RoundBasedAlgorithm {
 public:
  // gradient_steps false: CHOCO-Gossip (consensus only); true: CHOCO-SGD in config.choco_variant.
  Choco(DecentralizedConfig config, RoundSnapshots* snapshots, bool gradient_steps);

  std::span<const double> model(NodeId node) const override { return nodes_[node].x; }
  // The node's public copy x_hat_i (for tests of the invariants).
  std::span<const double> public_copy(NodeId node) const { return nodes_[node].x_hat; }
  // With a round timeout: node's copy of its neighbour's public copy (for tests).
  std::span<const double> copy_of(NodeId node, NodeId neighbour) const;

 private:
  struct NodeState {
    std::vector<double> x, x_hat, s;
    // With a round timeout: the copies of the neighbours' x_hat, in row order.
    std::vector<std::vector<double>> copies;
  };
  std::shared_ptr<const VectorMessage> full_public_copy(NodeId node, std::uint64_t round) const override;
  bool keeps_public_copies() const override { return config().round_timeout > 0; }
  std::size_t neighbour_position(NodeId node, NodeId neighbour) const;
  std::shared_ptr<const VectorMessage> make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                    std::span<const double> gradient) override;
  void complete_round(Context& ctx, NodeId node, std::uint64_t round, std::span<const Received> received,
                      std::span<const double> gradient) override;

  bool gradient_steps_;
  ChocoVariant variant_;
  std::vector<NodeState> nodes_;
};

}  // namespace dlsim
