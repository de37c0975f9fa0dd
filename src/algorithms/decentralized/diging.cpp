// DIGing; see diging.hpp.
#include "algorithms/decentralized/diging.hpp"

#include <stdexcept>

namespace dlsim {

Diging::Diging(DecentralizedConfig config, RoundSnapshots* snapshots)
    : RoundBasedAlgorithm(std::move(config), snapshots, GradientTiming::before_send) {
  if (this->config().compressor)
    throw std::invalid_argument("diging sends exact models and gradient trackers: set compression.kind = \"none\"");
  if (this->config().optimizer.momentum > 0 || this->config().optimizer.weight_decay > 0)
    throw std::invalid_argument("diging tracks plain gradients: momentum and weight decay are not supported");
  for (NodeId node = 0; node < this->config().nodes; ++node)
    nodes_.push_back(NodeState{initial_model(node), std::vector<double>(initial_model(node).size(), 0.0), nullptr});
}

std::shared_ptr<const VectorMessage> Diging::make_message(Context&, NodeId node, std::uint64_t round,
                                                          std::span<const double> gradient) {
  NodeState& state = nodes_[node];
  const std::size_t d = state.x.size();
  auto message = std::make_shared<VectorMessage>();
  message->round = round;
  message->exact.resize(2 * d);
  for (std::size_t k = 0; k < d; ++k) {
    message->exact[k] = state.x[k];
    message->exact[d + k] = state.tracking_partial[k] + gradient[k];
  }
  state.own = message;
  return message;
}

void Diging::complete_round(Context&, NodeId node, std::uint64_t round, std::span<const Received> received,
                            std::span<const double> gradient) {
  NodeState& state = nodes_[node];
  const std::size_t d = state.x.size();
  const double own_weight = self_weight(node);  // the row's, or more after a round timeout
  const double eta = optimizer(node).learning_rate(round);
  // mixed = sum_j w_ij (x_j, y_j), the node itself included.
  std::vector<double> mixed(2 * d);
  for (std::size_t k = 0; k < 2 * d; ++k) mixed[k] = own_weight * state.own->exact[k];
  for (const Received& in : received)
    for (std::size_t k = 0; k < 2 * d; ++k) mixed[k] += in.weight * in.message->exact[k];
  const double* own_tracker = state.own->exact.data() + d;
  for (std::size_t k = 0; k < d; ++k) {
    state.x[k] = mixed[k] - eta * own_tracker[k];
    state.tracking_partial[k] = mixed[d + k] - gradient[k];
  }
  state.own.reset();
}

}  // namespace dlsim
