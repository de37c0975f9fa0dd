// Push-sum consensus and Stochastic Gradient Push on a directed W.
//
//  - Push-sum (Kempe, Dobra, Gehrke, "Gossip-based computation of aggregate
//    information", FOCS 2003), in its synchronous form: node i keeps a pair
//    (x_i, w_i), x_i^0 its value and w_i^0 = 1; every round it keeps the share
//    W_ii of its pair and sends the share W_ji to each out-neighbour j, then
//    adds up what it received: (x, w) <- W (x, w) with W column stochastic, so
//    sum_i x_i and sum_i w_i never change. Its estimate z_i = x_i / w_i
//    converges to the exact average (1/n) sum_i x_i^0 on a strongly connected
//    digraph, at the rate of W's second-largest eigenvalue modulus, although W
//    is not doubly stochastic (uniform weights on a digraph are not).
//  - SGP (Assran, Loizou, Ballas, Rabbat, "Stochastic Gradient Push for
//    distributed deep learning", ICML 2019, Algorithm 1): each round node i
//    takes a local step at its de-biased model, x_i <- x_i - eta_t d(g_i(z_i)),
//    then mixes (x_i, w_i) by push-sum; the model is z_i = x_i / w_i. With
//    config.overlap = tau >= 1, tau-overlap SGP (OSGP, their Algorithm 2 and
//    the bounded-delay analysis): a node does not wait for the messages of
//    its current round; a message sent in round t is mixed in round t + tau,
//    so a node only waits when an in-neighbour is more than tau rounds behind
//    (here every message is mixed exactly tau rounds late, the worst delay the
//    analysis allows; the paper's nodes also mix one that arrives earlier).
//    The first tau rounds mix no messages, and the messages of the last tau
//    rounds are not sent (no round would mix them).
// Messages carry (x_i, w_i) exactly, d + 1 fp64 values; the receiver scales
// them by its W_ij (the share its in-neighbour sends it), so weighted digraphs
// (topology.weights = "file") work. The gradient is a before_send task at z_i.
//
// Round timeouts and churn: a share that does not come in time is replaced by
// the node's own pair, as the symmetric kinds do (W_ij goes to W_ii, the row
// of W for that round then sums to what it did). Its sender gave that share
// away, so sum_i x_i and sum_i w_i are no longer conserved, and x_i / w_i is
// a weighted average of the nodes' values rather than the exact one; but w_i
// stays near 1 (simply losing the share would shrink w_i geometrically at a
// node that misses many rounds, and amplify SGP's steps by 1 / w_i). A node
// back from an outage resumes with the pair it had (algorithm.rejoin = "keep").
#pragma once

#include "algorithms/decentralized/round_based.hpp"

namespace dlsim {

class PushSum final : public RoundBasedAlgorithm {
 public:
  // gradient_steps false: push-sum consensus (no data needed); true: SGP.
  // Throws std::invalid_argument with a compressor (exact messages only).
  PushSum(DecentralizedConfig config, RoundSnapshots* snapshots, bool gradient_steps);

  // The estimate z_i = x_i / w_i.
  std::span<const double> model(NodeId node) const override { return estimate_[node]; }
  // The push-sum pair: x_i (the first d values) and w_i (the last).
  std::span<const double> pair(NodeId node) const { return pair_[node]; }

 private:
  std::shared_ptr<const VectorMessage> make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                    std::span<const double> gradient) override;
  void complete_round(Context& ctx, NodeId node, std::uint64_t round, std::span<const Received> received,
                      std::span<const double> gradient) override;
  bool receives(std::uint64_t round) const override { return round >= config().overlap; }
  void update_estimate(NodeId node);

  bool gradient_steps_;
  std::vector<std::vector<double>> pair_;      // (x_i, w_i), d + 1 values
  std::vector<std::vector<double>> estimate_;  // z_i = x_i / w_i
};

}  // namespace dlsim
