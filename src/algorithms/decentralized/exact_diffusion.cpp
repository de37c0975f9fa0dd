// Exact diffusion and D^2; see exact_diffusion.hpp.
#include "algorithms/decentralized/exact_diffusion.hpp"

#include <stdexcept>

namespace dlsim {

ExactDiffusion::ExactDiffusion(DecentralizedConfig config, RoundSnapshots* snapshots, bool averaged_with_identity)
    : RoundBasedAlgorithm(std::move(config), snapshots, GradientTiming::before_send),
      averaged_with_identity_(averaged_with_identity) {
  if (this->config().compressor)
    throw std::invalid_argument("exact diffusion and D^2 send exact models: set compression.kind = \"none\"");
  if (this->config().mixing.time_varying())
    throw std::invalid_argument("exact diffusion and D^2 correct with the previous round's W; time-varying "
                                "topologies are not supported");
  nodes_.resize(this->config().nodes);
  for (NodeId node = 0; node < this->config().nodes; ++node) {
    NodeState& state = nodes_[node];
    state.x = initial_model(node);
    state.psi = state.x;
    state.phi.assign(state.x.size(), 0.0);
  }
}

std::shared_ptr<const VectorMessage> ExactDiffusion::make_message(Context&, NodeId node, std::uint64_t round,
                                                                  std::span<const double> gradient) {
  NodeState& state = nodes_[node];
  const std::size_t d = state.x.size();
  // phi = psi_new + x - psi_old, with psi_new = x - eta d written into phi first.
  state.phi = state.x;
  optimizer(node).apply(round, state.x, gradient, state.phi);
  for (std::size_t k = 0; k < d; ++k) {
    const double psi_new = state.phi[k];
    state.phi[k] = psi_new + (state.x[k] - state.psi[k]);
    state.psi[k] = psi_new;
  }
  auto message = std::make_shared<VectorMessage>();
  message->round = round;
  message->exact = state.phi;
  return message;
}

void ExactDiffusion::complete_round(Context&, NodeId node, std::uint64_t round, std::span<const Received> received,
                                    std::span<const double>) {
  NodeState& state = nodes_[node];
  mix(node, round, state.phi, received, state.x);
  if (averaged_with_identity_)
    for (std::size_t k = 0; k < state.x.size(); ++k) state.x[k] = 0.5 * (state.phi[k] + state.x[k]);
}

}  // namespace dlsim
