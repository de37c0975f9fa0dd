// Push-sum and SGP; see push_sum.hpp.
#include "algorithms/decentralized/push_sum.hpp"

#include <stdexcept>

namespace dlsim {

PushSum::PushSum(DecentralizedConfig config, RoundSnapshots* snapshots, bool gradient_steps)
    : RoundBasedAlgorithm(std::move(config), snapshots,
                          gradient_steps ? GradientTiming::before_send : GradientTiming::none),
      gradient_steps_(gradient_steps) {
  if (this->config().compressor)
    throw std::invalid_argument("push-sum and sgp send exact (x, w) pairs: set compression.kind = \"none\"");
  if (!gradient_steps_ && this->config().overlap != 0)
    throw std::invalid_argument("overlap is sgp's (push-sum consensus waits for every round's messages)");
  for (NodeId node = 0; node < this->config().nodes; ++node) {
    std::vector<double> pair = initial_model(node);
    pair.push_back(1.0);
    pair_.push_back(std::move(pair));
    estimate_.push_back(initial_model(node));
  }
}

void PushSum::update_estimate(NodeId node) {
  const std::vector<double>& pair = pair_[node];
  const double weight = pair.back();
  std::vector<double>& z = estimate_[node];
  for (std::size_t k = 0; k < z.size(); ++k) z[k] = pair[k] / weight;
}

std::shared_ptr<const VectorMessage> PushSum::make_message(Context&, NodeId node, std::uint64_t round,
                                                           std::span<const double> gradient) {
  std::vector<double>& pair = pair_[node];
  if (gradient_steps_) {
    // x_i^{t+1/2} = x_i^t - eta_t d(g_i(z_i^t)): the step at the de-biased model, applied to the numerator.
    const std::size_t d = estimate_[node].size();
    optimizer(node).apply(round, estimate_[node], gradient, std::span<double>(pair.data(), d));
  }
  const std::uint64_t mixed_in = round + config().overlap;
  if (mixed_in >= config().rounds) return nullptr;  // no round would mix it
  auto message = std::make_shared<VectorMessage>();
  message->round = mixed_in;
  message->exact = pair;
  return message;
}

void PushSum::complete_round(Context&, NodeId node, std::uint64_t round, std::span<const Received> received,
                             std::span<const double>) {
  std::vector<double>& pair = pair_[node];
  // The node keeps its own share W_ii, plus (after a round timeout) the
  // shares W_ij of the in-neighbours it did not hear: dropping them instead
  // would shrink w_i geometrically at a node that misses many rounds (one
  // back from an outage keeps only W_ii w_i per round), and SGP's steps,
  // taken on x_i, would then be amplified by 1 / w_i in x_i / w_i.
  const double own_share = self_weight(node);
  std::vector<double> mixed(pair.size());
  for (std::size_t k = 0; k < pair.size(); ++k) mixed[k] = own_share * pair[k];
  for (const Received& in : received)
    for (std::size_t k = 0; k < pair.size(); ++k) mixed[k] += in.weight * in.message->exact[k];
  pair.swap(mixed);
  update_estimate(node);
}

}  // namespace dlsim
