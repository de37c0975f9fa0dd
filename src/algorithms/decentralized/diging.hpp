// DIGing: decentralized gradient descent with gradient tracking (Nedic,
// Olshevsky, Shi, "Achieving geometric convergence for distributed
// optimization over time-varying graphs", SIAM J. Optim. 2017):
//   x_i <- sum_j w_ij x_j - eta_t y_i
//   y_i <- sum_j w_ij y_j + g_i(x_i new) - g_i(x_i old),    y_i^0 = g_i(x_i^0)
// y_i tracks the average gradient, so with full local gradients the iterates
// converge to the exact optimum with a constant step, even on non-iid data,
// where D-PSGD stalls at a bias. Each message carries x_i and y_i exactly
// (2 d fp64 values). Works with time-varying W. With minibatch gradients the
// tracking is noisy; set the batch size to the node's sample count for the
// deterministic method.
//
// Round t: the gradient g_i^t at x_i^t is computed first; y_i^t = (sum_j w_ij
// y_j^{t-1} - g_i^{t-1}) + g_i^t completes the previous round's tracking step;
// then (x_i^t, y_i^t) is sent and the round's mixing gives x_i^{t+1} and the
// partial sum for y_i^{t+1}.
#pragma once

#include "algorithms/decentralized/round_based.hpp"

namespace dlsim {

class Diging final : public RoundBasedAlgorithm {
 public:
  Diging(DecentralizedConfig config, RoundSnapshots* snapshots);

  std::span<const double> model(NodeId node) const override { return nodes_[node].x; }

 private:
  struct NodeState {
    std::vector<double> x;
    std::vector<double> tracking_partial;  // sum_j w_ij y_j^{t-1} - g_i^{t-1}; 0 before round 0
    std::shared_ptr<const VectorMessage> own;  // this round's (x_i, y_i)
  };
  std::shared_ptr<const VectorMessage> make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                    std::span<const double> gradient) override;
  void complete_round(Context& ctx, NodeId node, std::uint64_t round, std::span<const Received> received,
                      std::span<const double> gradient) override;

  std::vector<NodeState> nodes_;
};

}  // namespace dlsim
