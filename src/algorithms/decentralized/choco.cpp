// CHOCO-Gossip and CHOCO-SGD; see choco.hpp.
#include "algorithms/decentralized/choco.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dlsim {
namespace {

GradientTiming choco_timing(bool gradient_steps, ChocoVariant variant) {
  if (!gradient_steps) return GradientTiming::none;
  return variant == ChocoVariant::iclr2020 ? GradientTiming::pipelined
                                           : GradientTiming::before_send;
}

}  // namespace

Choco::Choco(DecentralizedConfig config, RoundSnapshots* snapshots, bool gradient_steps)
    : RoundBasedAlgorithm(std::move(config), snapshots, choco_timing(gradient_steps, config.choco_variant)),
      gradient_steps_(gradient_steps),
      variant_(gradient_steps ? this->config().choco_variant : ChocoVariant::icml2019) {
  if (this->config().mixing.time_varying())
    throw std::invalid_argument("CHOCO keeps sum_j w_ij x_hat_j for a fixed W; time-varying topologies are not supported");
  // With exact messages x_hat_i = x_i after each send, so choco-gossip is
  // relaxed gossip x <- x + gamma (W - I) x, for which gamma > 1 is
  // over-relaxation (stable below 2 / (1 - lambda_min(W)), checked by the
  // experiment builder). CHOCO's analysis, with a compressor, needs gamma <= 1.
  const double gamma = this->config().gamma;
  const bool exact_gossip = !gradient_steps && !this->config().compressor;
  if (!(gamma > 0 && (gamma <= 1 || (exact_gossip && std::isfinite(gamma)))))
    throw std::invalid_argument(
        exact_gossip ? "CHOCO's consensus step size gamma must be finite and > 0"
                     : "CHOCO's consensus step size gamma must be in (0, 1] (above 1 only for choco-gossip with "
                       "exact messages)");
  nodes_.resize(this->config().nodes);
  for (NodeId node = 0; node < this->config().nodes; ++node) {
    NodeState& state = nodes_[node];
    state.x = initial_model(node);
    state.x_hat.assign(state.x.size(), 0.0);
    state.s.assign(state.x.size(), 0.0);
    if (keeps_public_copies())
      state.copies.assign(this->config().mixing.row(node, 0).neighbours.size(),
                          std::vector<double>(state.x.size(), 0.0));
  }
}

std::size_t Choco::neighbour_position(NodeId node, NodeId neighbour) const {
  const std::vector<NodeId>& neighbours = config().mixing.row(node, 0).neighbours;
  const auto it = std::lower_bound(neighbours.begin(), neighbours.end(), neighbour);
  if (it == neighbours.end() || *it != neighbour)
    throw std::logic_error("a public copy of a node that is not a neighbour");
  return static_cast<std::size_t>(it - neighbours.begin());
}

std::span<const double> Choco::copy_of(NodeId node, NodeId neighbour) const {
  if (nodes_[node].copies.empty()) throw std::logic_error("copies are kept only with a round timeout");
  return nodes_[node].copies[neighbour_position(node, neighbour)];
}

std::shared_ptr<const VectorMessage> Choco::full_public_copy(NodeId node, std::uint64_t round) const {
  auto message = std::make_shared<VectorMessage>();
  message->round = round;
  message->exact = nodes_[node].x_hat;
  message->full_copy = true;
  return message;
}

std::shared_ptr<const VectorMessage> Choco::make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                         std::span<const double> gradient) {
  NodeState& state = nodes_[node];
  const std::size_t d = state.x.size();
  const double gamma = config().gamma;
  if (gradient_steps_) {
    // The gradient was evaluated at the current x (in both variants).
    optimizer(node).apply(round, state.x, gradient, state.x);
  }
  if (variant_ == ChocoVariant::iclr2020)
    for (std::size_t k = 0; k < d; ++k) state.x[k] += gamma * (state.s[k] - state.x_hat[k]);
  std::vector<double> difference(d);
  for (std::size_t k = 0; k < d; ++k) difference[k] = state.x[k] - state.x_hat[k];
  RandomStream rng = ctx.rng(purpose_id("compress"));
  std::shared_ptr<VectorMessage> message = codec().encode(round, difference, rng);
  codec().add_decoded(*message, 1.0, state.x_hat);
  codec().add_decoded(*message, config().mixing.row(node, round).self_weight, state.s);
  return message;
}

void Choco::complete_round(Context&, NodeId node, std::uint64_t, std::span<const Received> received,
                           std::span<const double>) {
  NodeState& state = nodes_[node];
  for (const Received& in : received) {
    if (state.copies.empty()) {
      codec().add_decoded(*in.message, in.weight, state.s);
      continue;
    }
    std::vector<double>& copy = state.copies[neighbour_position(node, in.from)];
    if (in.message->full_copy) {
      // s_i holds w_ij times the old copy: swap it for the full one.
      for (std::size_t k = 0; k < copy.size(); ++k) {
        state.s[k] += in.weight * (in.message->exact[k] - copy[k]);
        copy[k] = in.message->exact[k];
      }
    } else {
      codec().add_decoded(*in.message, in.weight, state.s);
      codec().add_decoded(*in.message, 1.0, copy);
    }
  }
  if (variant_ == ChocoVariant::icml2019) {
    const double gamma = config().gamma;
    for (std::size_t k = 0; k < state.x.size(); ++k) state.x[k] += gamma * (state.s[k] - state.x_hat[k]);
  }
}

}  // namespace dlsim
