// Decentralized local SGD: tau local steps between gossip steps (Koloskova,
// Loizou, Boreiri, Jaggi, Stich, "A unified theory of decentralized SGD with
// changing topology and local updates", ICML 2020, Algorithm 1 with
// W^(t) = I except every tau-th round):
//   x_i <- x_i - eta_t d_i;   then, if (t + 1) mod tau = 0:  x_i <- sum_j w_ij x_j.
// With tau = 1 this is D-PSGD in its adapt-then-combine order. Works with
// time-varying W (the W of round t is used in the gossip rounds).
#pragma once

#include "algorithms/decentralized/round_based.hpp"

namespace dlsim {

class LocalSgd final : public RoundBasedAlgorithm {
 public:
  LocalSgd(DecentralizedConfig config, RoundSnapshots* snapshots);

  std::span<const double> model(NodeId node) const override { return x_[node]; }

 private:
  std::shared_ptr<const VectorMessage> make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                    std::span<const double> gradient) override;
  void complete_round(Context& ctx, NodeId node, std::uint64_t round, std::span<const Received> received,
                      std::span<const double> gradient) override;
  bool communicates(std::uint64_t round) const override { return (round + 1) % config().local_steps == 0; }

  std::vector<std::vector<double>> x_;
};

}  // namespace dlsim
