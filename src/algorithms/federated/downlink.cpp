// Downlink compression on the server; see downlink.hpp.
#include "algorithms/federated/downlink.hpp"

#include "algorithms/federated/error_feedback.hpp"
#include "sim/random.hpp"

namespace dlsim {

DownlinkHistory::DownlinkHistory(const VectorCodec& codec, std::uint32_t clients, bool error_feedback)
    : codec_(codec), error_feedback_(error_feedback), sent_(clients, kNoModel) {}

void DownlinkHistory::apply(std::uint64_t round, std::span<const double> step, std::vector<double>& x,
                            RandomStream& rng) {
  std::shared_ptr<const VectorMessage> message =
      error_feedback_ ? encode_with_error_feedback(codec_, round, step, residual_, rng) : codec_.encode(round, step, rng);
  // As every client will: the same additions in the same order.
  codec_.add_decoded(*message, 1.0, x);
  const std::int64_t bits = codec_.bits(*message);
  history_.push_back(Sent{round, message, bits});
  bits_ += bits;
  // Older messages that no client could be sent more cheaply than x_t go.
  const std::int64_t full = 64 * static_cast<std::int64_t>(x.size());
  std::size_t drop = 0;
  while (drop < history_.size() && bits_ > full) {
    bits_ -= history_[drop].bits;
    start_ = history_[drop].round + 1;
    ++drop;
  }
  history_.erase(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(drop));
}

bool DownlinkHistory::add_missed(NodeId client, std::uint64_t round, ModelBroadcast& broadcast) {
  const std::uint64_t known = sent_[client];
  sent_[client] = round;
  // The kept messages take x_known to x_t when they reach back to `known`;
  // they add up to at most 64 d bits, so they never cost more than x_t.
  if (known == kNoModel || known < start_) return false;
  broadcast.base_round = known;
  for (const Sent& sent : history_)
    if (sent.round >= known) broadcast.updates.push_back(sent.message);
  return true;
}

}  // namespace dlsim
