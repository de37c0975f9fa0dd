// Exact gossip and D-PSGD: every round a node sends its model to its
// neighbours and averages with W.
//
//  - Exact gossip average consensus (Boyd, Ghosh, Prabhakar, Shah, "Randomized
//    gossip algorithms", IEEE Trans. Inf. Theory 2006, in its synchronous
//    form): x_i <- sum_j w_ij x_j; with config.gamma != 1, relaxed gossip
//    x_i <- x_i + gamma (sum_j w_ij x_j - x_i), whose iteration matrix
//    I + gamma (W - I) has eigenvalues 1 + gamma (lambda - 1): over-relaxation
//    (gamma > 1) contracts faster while gamma (1 - lambda_2) and
//    |1 + gamma (lambda_min - 1)| both improve on gamma = 1, and is stable
//    below gamma = 2 / (1 - lambda_min) (the experiment builder checks it).
//  - D-PSGD (Lian, Zhang, Zhang, Hsieh, Zhang, Liu, "Can decentralized
//    algorithms outperform centralized algorithms?", NeurIPS 2017):
//    x_i <- sum_j w_ij x_j - eta_t d_i, with d_i the local optimiser's step
//    direction for the minibatch gradient g_i(x_i), computed while the models
//    travel (GossipOrder::overlapped, the default). With
//    GossipOrder::gradient_then_gossip, x_i <- sum_j w_ij (x_j - eta_t d_j):
//    the order of the paper's analysis, x^{t+1} = W (x^t - eta G(x^t)); the
//    gradient must then be ready before the model can be sent, so a round
//    takes gradient + communication instead of the longer of the two.
//    Quasi-global momentum (local_optimizer.hpp) takes the round's model
//    change x_i^t - x_i^{t+1} in either order.
// Messages carry the model exactly (fp64) or, with a compressor, its
// compressed form (naive compressed D-PSGD, which does not converge to the
// optimum in general: the baseline that CHOCO-SGD fixes).
// With config.robust, honest nodes combine robustly instead of averaging
// (BRIDGE's trimmed mean or median, ClippedGossip; see robust_gossip.hpp), the
// combination charged as a compute task; d-psgd's gradient is still at x_i^t.
#pragma once

#include <tbb/enumerable_thread_specific.h>

#include <vector>

#include "algorithms/decentralized/round_based.hpp"

namespace dlsim {

class GossipSgd final : public RoundBasedAlgorithm {
 public:
  // gradient_steps false: exact gossip (no data needed).
  GossipSgd(DecentralizedConfig config, RoundSnapshots* snapshots, bool gradient_steps);

  std::span<const double> model(NodeId node) const override { return x_[node]; }

 private:
  std::shared_ptr<const VectorMessage> make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                    std::span<const double> gradient) override;
  void complete_round(Context& ctx, NodeId node, std::uint64_t round, std::span<const Received> received,
                      std::span<const double> gradient) override;
  ComputeCost combine_cost(NodeId node, std::uint64_t round, std::size_t received) const override;

  bool gradient_steps_;
  bool step_first_;  // d-psgd in the gradient-then-gossip order
  std::vector<std::vector<double>> x_;
  std::vector<std::vector<double>> half_step_;  // step_first_: x_i^{t+1/2} of the current round
  tbb::enumerable_thread_specific<std::vector<double>> scratch_;  // complete_round's new model
};

}  // namespace dlsim
