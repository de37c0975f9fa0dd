#include "compress/identity.hpp"

#include "compress/detail/util.hpp"

namespace dlsim {

void Identity::compress(std::span<const double> x, RandomStream&, CompressedMessage& out) const {
  detail::reset(out, x.size());
  out.values.resize(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out.values[i] = static_cast<float>(x[i]);
  out.wire_bits = 32ull * x.size();
}

void Identity::decode(const CompressedMessage& message, std::span<double> out) const {
  detail::check_decode(message, out, "identity");
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = message.values[i];
}

}  // namespace dlsim
