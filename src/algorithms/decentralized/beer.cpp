// BEER; see beer.hpp.
#include "algorithms/decentralized/beer.hpp"

#include <stdexcept>

namespace dlsim {

Beer::Beer(DecentralizedConfig config, RoundSnapshots* snapshots)
    : RoundBasedAlgorithm(std::move(config), snapshots, GradientTiming::before_send) {
  if (this->config().mixing.time_varying())
    throw std::invalid_argument("BEER keeps sum_j w_ij h_j for a fixed W; time-varying topologies are not supported");
  const double gamma = this->config().gamma;
  if (!(gamma > 0 && gamma <= 1)) throw std::invalid_argument("BEER's consensus step size gamma must be in (0, 1]");
  if (this->config().optimizer.momentum > 0 || this->config().optimizer.weight_decay > 0)
    throw std::invalid_argument("beer tracks plain gradients: momentum and weight decay are not supported");
  nodes_.resize(this->config().nodes);
  for (NodeId node = 0; node < this->config().nodes; ++node) {
    NodeState& state = nodes_[node];
    state.x = initial_model(node);
    const std::size_t d = state.x.size();
    for (std::vector<double>* zero : {&state.h, &state.s_h, &state.v, &state.g, &state.s_g, &state.previous_gradient})
      zero->assign(d, 0.0);
  }
}

void Beer::add_part(const VectorMessage& message, int part, double weight, std::span<double> target) const {
  if (codec().exact()) {
    const double* values = message.exact.data() + static_cast<std::size_t>(part) * target.size();
    for (std::size_t k = 0; k < target.size(); ++k) target[k] += weight * values[k];
  } else if (part == 0) {
    codec().add_decoded(message, weight, target);
  } else {
    codec().compressor()->add_decoded(message.further.front(), weight, target);
  }
}

std::shared_ptr<const VectorMessage> Beer::make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                        std::span<const double> gradient) {
  NodeState& state = nodes_[node];
  const std::size_t d = state.x.size();
  const double gamma = config().gamma;
  if (round == 0) {
    state.v.assign(gradient.begin(), gradient.end());
  } else {
    for (std::size_t k = 0; k < d; ++k)
      state.v[k] += gamma * (state.s_g[k] - state.g[k]) + (gradient[k] - state.previous_gradient[k]);
  }
  state.previous_gradient.assign(gradient.begin(), gradient.end());

  std::vector<double> model_difference(d), tracker_difference(d);
  for (std::size_t k = 0; k < d; ++k) {
    model_difference[k] = state.x[k] - state.h[k];
    tracker_difference[k] = state.v[k] - state.g[k];
  }
  std::shared_ptr<VectorMessage> message;
  if (codec().exact()) {
    message = std::make_shared<VectorMessage>();
    message->round = round;
    message->exact = model_difference;
    message->exact.insert(message->exact.end(), tracker_difference.begin(), tracker_difference.end());
  } else {
    // One stream for both parts, drawn in a fixed order: model, then tracker.
    RandomStream rng = ctx.rng(purpose_id("compress"));
    message = codec().encode(round, model_difference, rng);
    std::shared_ptr<VectorMessage> tracker = codec().encode(round, tracker_difference, rng);
    message->further.push_back(std::move(tracker->compressed));
  }
  const double own_weight = config().mixing.row(node, round).self_weight;
  add_part(*message, 0, 1.0, state.h);
  add_part(*message, 0, own_weight, state.s_h);
  add_part(*message, 1, 1.0, state.g);
  add_part(*message, 1, own_weight, state.s_g);
  return message;
}

void Beer::complete_round(Context&, NodeId node, std::uint64_t round, std::span<const Received> received,
                          std::span<const double>) {
  NodeState& state = nodes_[node];
  for (const Received& in : received) {
    add_part(*in.message, 0, in.weight, state.s_h);
    add_part(*in.message, 1, in.weight, state.s_g);
  }
  const double gamma = config().gamma;
  const double eta = optimizer(node).learning_rate(round);
  for (std::size_t k = 0; k < state.x.size(); ++k)
    state.x[k] += gamma * (state.s_h[k] - state.h[k]) - eta * state.v[k];
}

}  // namespace dlsim
