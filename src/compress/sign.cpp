// Packs 64 signs per word; the branch-free bit extraction keeps it memory-bound.
#include "compress/sign.hpp"

#include "compress/detail/util.hpp"

#include <bit>
#include <cstdint>

namespace dlsim {

void ScaledSign::compress(std::span<const double> x, RandomStream&, CompressedMessage& out) const {
  const std::size_t d = x.size();
  detail::reset(out, d);
  out.signs.assign((d + 63) / 64, 0);
  double l1 = 0.0;
  for (std::size_t w = 0; w < out.signs.size(); ++w) {
    const std::size_t begin = w * 64, end = std::min(d, begin + 64);
    std::uint64_t word = 0;
    for (std::size_t i = begin; i < end; ++i) {
      l1 += std::abs(x[i]);
      word |= std::uint64_t{std::signbit(x[i]) && x[i] != 0.0} << (i - begin);
    }
    out.signs[w] = word;
  }
  out.scale = d ? static_cast<float>(l1 / double(d)) : 0.0f;
  out.wire_bits = d + 32;
}

void ScaledSign::decode(const CompressedMessage& message, std::span<double> out) const {
  detail::check_decode(message, out, "sign");
  // The sign bit of each value is the message's bit, xor-ed into the scale's
  // bits: -scale exactly, with no branch on random signs (a conditional
  // choice compiled to a branch mispredicted half of the time).
  const std::uint64_t scale_bits = std::bit_cast<std::uint64_t>(double(message.scale));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::uint64_t negative = message.signs[i / 64] >> (i % 64) & 1;
    out[i] = std::bit_cast<double>(scale_bits ^ negative << 63);
  }
}

}  // namespace dlsim
