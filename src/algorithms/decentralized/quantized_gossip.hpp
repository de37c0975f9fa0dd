// The naive compressed gossip baselines of Koloskova, Stich, Jaggi ("Decentralized
// stochastic optimization and gossip algorithms with compressed communication",
// ICML 2019, Section 3), which CHOCO-Gossip is compared with. A node sends
// Q(x_i) and, with the sums over j including i itself,
//   Q1-gossip:  x_i <- x_i + gamma sum_j w_ij (Q(x_j) - x_i)
//   Q2-gossip:  x_i <- x_i + gamma sum_j w_ij (Q(x_j) - Q(x_i))
// Q1 does not preserve the average and stalls at an error set by the
// compression; Q2 preserves it for an unbiased Q but its error need not vanish.
#pragma once

#include "algorithms/decentralized/round_based.hpp"

namespace dlsim {

enum class QuantizedGossipKind { q1, q2 };

class QuantizedGossip final : public RoundBasedAlgorithm {
 public:
  QuantizedGossip(DecentralizedConfig config, RoundSnapshots* snapshots, QuantizedGossipKind kind);

  std::span<const double> model(NodeId node) const override { return x_[node]; }

 private:
  std::shared_ptr<const VectorMessage> make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                    std::span<const double> gradient) override;
  void complete_round(Context& ctx, NodeId node, std::uint64_t round, std::span<const Received> received,
                      std::span<const double> gradient) override;

  QuantizedGossipKind kind_;
  std::vector<std::vector<double>> x_;
  std::vector<std::shared_ptr<const VectorMessage>> own_message_;  // Q(x_i) of the current round
};

}  // namespace dlsim
