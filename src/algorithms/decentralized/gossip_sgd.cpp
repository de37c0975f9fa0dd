// Exact gossip and D-PSGD; see gossip_sgd.hpp.
#include "algorithms/decentralized/gossip_sgd.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dlsim {

namespace {

GradientTiming gossip_timing(bool gradient_steps, GossipOrder order) {
  if (!gradient_steps) return GradientTiming::none;
  return order == GossipOrder::gradient_then_gossip ? GradientTiming::before_send : GradientTiming::overlapped;
}

}  // namespace

GossipSgd::GossipSgd(DecentralizedConfig config, RoundSnapshots* snapshots, bool gradient_steps)
    : RoundBasedAlgorithm(std::move(config), snapshots, gossip_timing(gradient_steps, config.order)),
      gradient_steps_(gradient_steps),
      step_first_(gradient_steps && this->config().order == GossipOrder::gradient_then_gossip) {
  // d-psgd has no consensus step size: gamma is exact gossip's alone.
  if (!gradient_steps_ && !(this->config().gamma > 0 && std::isfinite(this->config().gamma)))
    throw std::invalid_argument("gossip's relaxation gamma must be finite and > 0");
  for (NodeId node = 0; node < this->config().nodes; ++node) x_.push_back(initial_model(node));
  if (step_first_) half_step_.resize(this->config().nodes);
}

std::shared_ptr<const VectorMessage> GossipSgd::make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                             std::span<const double> gradient) {
  RandomStream rng = ctx.rng(purpose_id("compress"));
  if (!step_first_) return codec().encode(round, x_[node], rng);
  // Gradient, then gossip: x^{t+1/2} = x^t - eta_t d is what travels; x^t is
  // kept until the round completes (quasi-global momentum needs it).
  std::vector<double>& half = half_step_[node];
  half = x_[node];
  optimizer(node).apply(round, x_[node], gradient, half);
  return codec().encode(round, half, rng);
}

void GossipSgd::complete_round(Context&, NodeId node, std::uint64_t round, std::span<const Received> received,
                               std::span<const double> gradient) {
  std::vector<double>& x = x_[node];
  // What the node averages with its neighbours': x^t, or x^{t+1/2} in the gradient-first order.
  const std::vector<double>& own = step_first_ ? half_step_[node] : x;
  // The new model is built in the thread's scratch buffer and copied into
  // place: no allocation per round.
  std::vector<double>& mixed = scratch_.local();
  mixed.resize(x.size());
  if (config().robust.kind == RobustGossipKind::none) {
    mix(node, round, own, received, mixed);
  } else if (config().robust.kind == RobustGossipKind::trimmed_mean && received.size() + 1 <= 2 * config().robust.trim) {
    // After a round timeout, too few values to trim b on each side: the node keeps its model.
    mixed = own;
  } else {
    std::vector<std::vector<double>> decoded;
    std::vector<double> weights;
    for (const Received& in : received) {
      decoded.emplace_back(x.size());
      codec().decode(*in.message, decoded.back());
      weights.push_back(in.weight);
    }
    const std::vector<VectorView> views(decoded.begin(), decoded.end());
    robust_combine(config().robust, self_weight(node), own, views, weights, mixed);
  }
  if (gradient_steps_ && !step_first_) optimizer(node).apply(round, x, gradient, mixed);
  if (gradient_steps_) optimizer(node).record_round(round, x, mixed);
  // Relaxed gossip x <- x + gamma (W x - x); gamma = 1 (the default) is plain
  // W x, kept as it was computed so that those runs stay bit-identical.
  const double gamma = config().gamma;
  if (!gradient_steps_ && gamma != 1.0)
    for (std::size_t k = 0; k < x.size(); ++k) mixed[k] = x[k] + gamma * (mixed[k] - x[k]);
  std::copy(mixed.begin(), mixed.end(), x.begin());
}

}  // namespace dlsim

namespace dlsim {

ComputeCost GossipSgd::combine_cost(NodeId, std::uint64_t, std::size_t received) const {
  return robust_combine_cost(config().robust, received, dimension());
}

}  // namespace dlsim
