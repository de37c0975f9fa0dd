// Exact diffusion and D^2: decentralized SGD with a correction that removes
// D-PSGD's bias on non-iid data, at one model-sized message per round.
//
//  - Exact diffusion (Yuan, Ying, Zhao, Sayed, "Exact diffusion for
//    distributed optimization and learning. Part I: algorithm development",
//    IEEE Trans. Signal Process. 2019), adapt-correct-combine with
//    W_bar = (I + W) / 2:
//      psi_i^{t+1} = x_i^t - eta_t d_i(x_i^t)             (adapt)
//      phi_i^{t+1} = psi_i^{t+1} + x_i^t - psi_i^t        (correct; psi_i^0 = x_i^0)
//      x_i^{t+1}   = sum_j w_bar_ij phi_j^{t+1}           (combine: phi is the message)
//  - D^2 (Tang, Lian, Yan, Zhang, Liu, "D^2: decentralized training over
//    decentralized data", ICML 2018) is the same recursion with W itself:
//      x^{t+1} = W (2 x^t - x^{t-1} - eta (g^t - g^{t-1})),  x^1 = W (x^0 - eta g^0),
//    which needs lambda_min(W) > -1/3 (the experiment builder checks it);
//    W_bar's eigenvalues are in [0, 1], so exact diffusion needs nothing.
// Summing the recursion over nodes (W doubly stochastic) shows that a fixed
// point has sum_i g_i(x*) = 0 at consensus: with full local gradients and a
// constant step the iterates reach the exact optimum, where D-PSGD keeps a
// bias proportional to eta and to the spread of the local gradients.
// d_i is the local optimiser's step direction (its heavy-ball momentum, if
// any, changes the transient, not the fixed point). Messages carry phi_i
// exactly (d fp64 values). The gradient at x_i^t is needed before phi_i can
// be sent. With a round timeout, a missed phi_j's weight goes to the node's
// own (before the average with I), which breaks the exactness of that round.
#pragma once

#include "algorithms/decentralized/round_based.hpp"

namespace dlsim {

class ExactDiffusion final : public RoundBasedAlgorithm {
 public:
  // averaged_with_identity: exact diffusion (W_bar = (I + W) / 2); false: D^2 (W).
  ExactDiffusion(DecentralizedConfig config, RoundSnapshots* snapshots, bool averaged_with_identity);

  std::span<const double> model(NodeId node) const override { return nodes_[node].x; }

 private:
  struct NodeState {
    std::vector<double> x;
    std::vector<double> psi;  // psi_i^t, the previous adapt step (x_i^0 before round 0)
    std::vector<double> phi;  // this round's corrected step, the message
  };
  std::shared_ptr<const VectorMessage> make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                    std::span<const double> gradient) override;
  void complete_round(Context& ctx, NodeId node, std::uint64_t round, std::span<const Received> received,
                      std::span<const double> gradient) override;

  bool averaged_with_identity_;
  std::vector<NodeState> nodes_;
};

}  // namespace dlsim
