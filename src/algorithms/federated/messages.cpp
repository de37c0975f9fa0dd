// Wire sizes of the federated messages; see messages.hpp.
#include "algorithms/federated/messages.hpp"

namespace dlsim {

std::int64_t ModelBroadcast::bits() const {
  return 64 + 64 * static_cast<std::int64_t>(model.size() + control.size());
}

std::int64_t ClientUpdate::bits(const VectorCodec& codec) const {
  return codec.bits(*delta) + 64 + (reports_loss ? 32 : 0) + 64 * static_cast<std::int64_t>(control_delta.size());
}

}  // namespace dlsim
