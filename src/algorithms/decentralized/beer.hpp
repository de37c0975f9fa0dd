// BEER: gradient tracking with compressed messages (Zhao, Li, Richtarik, Chi,
// "BEER: fast O(1/T) rate for decentralized nonconvex optimization with
// communication compression", NeurIPS 2022, Algorithm 1).
//
// Every node keeps two public copies that its neighbours also hold, h_i of its
// model and g_i of its gradient tracker, and sends only compressed
// increments of both, as CHOCO does for the model alone. As in choco.hpp a
// node keeps the weighted sums s_h = sum_j w_ij h_j and s_g = sum_j w_ij g_j
// (itself included) instead of one copy per neighbour. Round t, with g_i^t the
// gradient at x_i^t:
//   v_i^t   = v_i^{t-1} + gamma (s_g - g_i) + g_i^t - g_i^{t-1}     (v_i^0 = g_i^0)
//   q_h = C(x_i^t - h_i), q_g = C(v_i^t - g_i); send (q_h, q_g); h_i += q_h; g_i += q_g
//   s_h += sum_j w_ij q_h_j, s_g += sum_j w_ij q_g_j                (every message in)
//   x_i^{t+1} = x_i^t + gamma (s_h - h_i) - eta_t v_i^t
// The copies start at 0. Summed over nodes (W doubly stochastic) the gossip
// terms cancel, so sum_i v_i^t = sum_i g_i^t: v_i tracks the average gradient
// through the compression, and with full local gradients and a contractive C
// the iterates reach the exact optimum on non-iid data. With exact messages
// and gamma = 1 it is DIGing (diging.hpp) step for step. A message carries
// both increments (2 d fp64 values, or two encodings of the compressor, each
// at its exact size). gamma in (0, 1]; plain gradient steps (no momentum or
// weight decay); a fixed W. With a round timeout, a missed message leaves
// the node's copies of that neighbour behind for good, as for CHOCO.
#pragma once

#include "algorithms/decentralized/round_based.hpp"

namespace dlsim {

class Beer final : public RoundBasedAlgorithm {
 public:
  Beer(DecentralizedConfig config, RoundSnapshots* snapshots);

  std::span<const double> model(NodeId node) const override { return nodes_[node].x; }
  // The node's public copy h_i of its model (for tests).
  std::span<const double> public_copy(NodeId node) const { return nodes_[node].h; }

 private:
  struct NodeState {
    std::vector<double> x, h, s_h;            // model, its public copy, sum_j w_ij h_j
    std::vector<double> v, g, s_g;            // tracker, its public copy, sum_j w_ij g_j
    std::vector<double> previous_gradient;    // g_i^{t-1}
  };
  std::shared_ptr<const VectorMessage> make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                    std::span<const double> gradient) override;
  void complete_round(Context& ctx, NodeId node, std::uint64_t round, std::span<const Received> received,
                      std::span<const double> gradient) override;
  // target += weight * (part 0: the model increment, 1: the tracker increment of `message`).
  void add_part(const VectorMessage& message, int part, double weight, std::span<double> target) const;

  std::vector<NodeState> nodes_;
};

}  // namespace dlsim
