// Decentralized local SGD; see local_sgd.hpp.
#include "algorithms/decentralized/local_sgd.hpp"

namespace dlsim {

LocalSgd::LocalSgd(DecentralizedConfig config, RoundSnapshots* snapshots)
    : RoundBasedAlgorithm(std::move(config), snapshots, GradientTiming::before_send) {
  for (NodeId node = 0; node < this->config().nodes; ++node) x_.push_back(initial_model(node));
}

std::shared_ptr<const VectorMessage> LocalSgd::make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                            std::span<const double> gradient) {
  std::vector<double>& x = x_[node];
  optimizer(node).apply(round, x, gradient, x);
  if (!communicates(round)) return nullptr;
  RandomStream rng = ctx.rng(purpose_id("compress"));
  return codec().encode(round, x, rng);
}

void LocalSgd::complete_round(Context&, NodeId node, std::uint64_t round, std::span<const Received> received,
                              std::span<const double>) {
  if (!communicates(round)) return;
  std::vector<double>& x = x_[node];
  std::vector<double> mixed(x.size());
  mix(node, round, x, received, mixed);
  x.swap(mixed);
}

}  // namespace dlsim
