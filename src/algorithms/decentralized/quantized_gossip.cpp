// Q1- and Q2-gossip; see quantized_gossip.hpp.
#include "algorithms/decentralized/quantized_gossip.hpp"

#include <stdexcept>

namespace dlsim {

QuantizedGossip::QuantizedGossip(DecentralizedConfig config, RoundSnapshots* snapshots, QuantizedGossipKind kind)
    : RoundBasedAlgorithm(std::move(config), snapshots, GradientTiming::none), kind_(kind) {
  if (!(this->config().gamma > 0 && this->config().gamma <= 1))
    throw std::invalid_argument("the consensus step size gamma must be in (0, 1]");
  for (NodeId node = 0; node < this->config().nodes; ++node) x_.push_back(initial_model(node));
  own_message_.resize(this->config().nodes);
}

std::shared_ptr<const VectorMessage> QuantizedGossip::make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                                   std::span<const double>) {
  RandomStream rng = ctx.rng(purpose_id("compress"));
  own_message_[node] = codec().encode(round, x_[node], rng);
  return own_message_[node];
}

void QuantizedGossip::complete_round(Context&, NodeId node, std::uint64_t round, std::span<const Received> received,
                                     std::span<const double>) {
  std::vector<double>& x = x_[node];
  const std::size_t d = x.size();
  // average = sum_j w_ij Q(x_j), the node's own Q(x_i) included.
  std::vector<double> average(d), own(d);
  codec().decode(*own_message_[node], own);
  mix(node, round, own, received, average);
  const double gamma = config().gamma;
  const std::span<const double> reference = kind_ == QuantizedGossipKind::q1 ? std::span<const double>(x) : own;
  for (std::size_t k = 0; k < d; ++k) x[k] += gamma * (average[k] - reference[k]);
  own_message_[node].reset();
}

}  // namespace dlsim
