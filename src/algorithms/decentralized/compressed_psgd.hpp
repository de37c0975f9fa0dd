// DCD-PSGD and ECD-PSGD (Tang, Gan, Zhang, Zhang, Liu, "Communication
// compression for decentralized training", NeurIPS 2018, Algorithms 1 and 2):
// the compressed D-PSGD baselines that CHOCO-SGD improves on. Both need an
// unbiased compressor (the experiment builder refuses biased ones).
//
// DCD-PSGD (difference compression). Every node's neighbours hold an exact
// replica of its model, kept in step by the compressed differences; a node
// keeps s_i = sum_j w_ij x_j (itself included) instead of the replicas. Round t:
//   z_i = s_i - eta_t d_i - x_i;  c_i = C(z_i);  send c_i;  x_i += c_i;
//   s_i += sum_j w_ij c_j.
//
// ECD-PSGD (extrapolation compression). Nodes keep estimates y_j of their
// neighbours' models, updated from compressed extrapolations whose error is
// damped by 2/t; a node keeps s_i = sum_j w_ij y_j (itself included). Round t
// (t = 1, 2, ... in the paper's numbering, our round + 1):
//   x_i' = s_i - eta_t d_i;  z_i = (1 - t/2) x_i + (t/2) x_i';  x_i = x_i';
//   c_i = C(z_i); send c_i;  s_i <- (1 - 2/t) s_i + (2/t) sum_j w_ij c_j.
// Without compression both reduce to D-PSGD. Both start from identical models
// (s_i = x_i), and the next gradient (at the new x_i) overlaps with the wait.
#pragma once

#include "algorithms/decentralized/round_based.hpp"

namespace dlsim {

enum class CompressedPsgdKind { dcd, ecd };

class CompressedPsgd final : public RoundBasedAlgorithm {
 public:
  CompressedPsgd(DecentralizedConfig config, RoundSnapshots* snapshots, CompressedPsgdKind kind);

  std::span<const double> model(NodeId node) const override { return nodes_[node].x; }

 private:
  struct NodeState {
    std::vector<double> x, s;
  };
  std::shared_ptr<const VectorMessage> make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                    std::span<const double> gradient) override;
  void complete_round(Context& ctx, NodeId node, std::uint64_t round, std::span<const Received> received,
                      std::span<const double> gradient) override;
  // ECD's weight 2/t on the round's messages; 1 for DCD.
  double message_scale(std::uint64_t round) const;

  CompressedPsgdKind kind_;
  std::vector<NodeState> nodes_;
};

}  // namespace dlsim
