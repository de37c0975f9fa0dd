// Wire sizes of the federated messages; see messages.hpp.
#include "algorithms/federated/messages.hpp"

namespace dlsim {

std::int64_t ModelBroadcast::bits(const VectorCodec* downlink, std::size_t dimension) const {
  const auto d = static_cast<std::int64_t>(dimension);
  if (held) return 64 + (control ? 64 * d : 0);
  std::int64_t total = 64 + (control ? 64 * d : 0);
  if (downlink == nullptr) return total + 64 * d;
  total += 32;  // the count of updates
  if (model) return total + 64 * d;
  for (const auto& update : updates) total += downlink->bits(*update);
  return total;
}

std::int64_t ClientUpdate::bits(const VectorCodec& codec) const {
  if (masked_payload_bits >= 0) return 64 + masked_payload_bits + 64 + (reports_loss ? 32 : 0);
  return codec.bits(*delta) + 64 + (reports_loss ? 32 : 0) + 64 * static_cast<std::int64_t>(control_delta.size());
}

}  // namespace dlsim
