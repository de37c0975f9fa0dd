// DCD-PSGD and ECD-PSGD; see compressed_psgd.hpp.
#include "algorithms/decentralized/compressed_psgd.hpp"

#include <stdexcept>

namespace dlsim {

CompressedPsgd::CompressedPsgd(DecentralizedConfig config, RoundSnapshots* snapshots, CompressedPsgdKind kind)
    : RoundBasedAlgorithm(std::move(config), snapshots, GradientTiming::pipelined), kind_(kind) {
  const char* name = kind == CompressedPsgdKind::dcd ? "dcd-psgd" : "ecd-psgd";
  if (this->config().mixing.time_varying())
    throw std::invalid_argument(std::string(name) + " keeps sum_j w_ij x_j for a fixed W; time-varying topologies are not supported");
  const std::vector<double>& first = initial_model(0);
  for (NodeId node = 0; node < this->config().nodes; ++node)
    if (initial_model(node) != first)
      throw std::invalid_argument(std::string(name) + " needs the same initial model at every node");
  nodes_.assign(this->config().nodes, NodeState{first, first});
}

double CompressedPsgd::message_scale(std::uint64_t round) const {
  return kind_ == CompressedPsgdKind::dcd ? 1.0 : 2.0 / static_cast<double>(round + 1);
}

std::shared_ptr<const VectorMessage> CompressedPsgd::make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                                  std::span<const double> gradient) {
  NodeState& state = nodes_[node];
  const std::size_t d = state.x.size();
  // target = s_i - eta_t d_i, with the gradient taken at x_i.
  std::vector<double> target = state.s;
  optimizer(node).apply(round, state.x, gradient, target);
  std::vector<double> z(d);
  if (kind_ == CompressedPsgdKind::dcd) {
    for (std::size_t k = 0; k < d; ++k) z[k] = target[k] - state.x[k];
  } else {
    const double t = static_cast<double>(round + 1);
    for (std::size_t k = 0; k < d; ++k) z[k] = (1.0 - 0.5 * t) * state.x[k] + 0.5 * t * target[k];
  }
  RandomStream rng = ctx.rng(purpose_id("compress"));
  std::shared_ptr<VectorMessage> message = codec().encode(round, z, rng);
  const double self_weight = config().mixing.row(node, round).self_weight;
  if (kind_ == CompressedPsgdKind::dcd) {
    codec().add_decoded(*message, 1.0, state.x);
  } else {
    state.x.swap(target);
    const double keep = 1.0 - message_scale(round);
    for (double& value : state.s) value *= keep;
  }
  codec().add_decoded(*message, message_scale(round) * self_weight, state.s);
  return message;
}

void CompressedPsgd::complete_round(Context&, NodeId node, std::uint64_t round, std::span<const Received> received,
                                    std::span<const double>) {
  NodeState& state = nodes_[node];
  const double scale = message_scale(round);
  for (const Received& in : received) codec().add_decoded(*in.message, scale * in.weight, state.s);
}

}  // namespace dlsim
