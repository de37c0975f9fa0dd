// Exact gossip and D-PSGD; see gossip_sgd.hpp.
#include "algorithms/decentralized/gossip_sgd.hpp"

namespace dlsim {

GossipSgd::GossipSgd(DecentralizedConfig config, RoundSnapshots* snapshots, bool gradient_steps)
    : RoundBasedAlgorithm(std::move(config), snapshots,
                          gradient_steps ? GradientTiming::overlapped : GradientTiming::none),
      gradient_steps_(gradient_steps) {
  for (NodeId node = 0; node < this->config().nodes; ++node) x_.push_back(initial_model(node));
}

std::shared_ptr<const VectorMessage> GossipSgd::make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                             std::span<const double>) {
  RandomStream rng = ctx.rng(purpose_id("compress"));
  return codec().encode(round, x_[node], rng);
}

void GossipSgd::complete_round(Context&, NodeId node, std::uint64_t round, std::span<const Received> received,
                               std::span<const double> gradient) {
  std::vector<double>& x = x_[node];
  std::vector<double> mixed(x.size());
  mix(node, round, x, received, mixed);
  if (gradient_steps_) optimizer(node).apply(round, x, gradient, mixed);
  x.swap(mixed);
}

}  // namespace dlsim
