// Natural compression on the fp32 bit pattern: the 23 mantissa bits m give the
// probability m / 2^23 of rounding up, and comparing them with 23 random bits
// decides it exactly, with no floating-point arithmetic.
#include "compress/natural.hpp"

#include <bit>

#include "compress/detail/util.hpp"

namespace dlsim {

void NaturalCompression::compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const {
  const std::size_t d = x.size();
  detail::reset(out, d);
  out.words.resize(d);
  out.scratch_words.resize((d + 1) / 2);
  auto* uniforms = reinterpret_cast<std::uint32_t*>(out.scratch_words.data());
  detail::random_words(rng, uniforms, d);
  for (std::size_t i = 0; i < d; ++i) {
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(static_cast<float>(x[i]));
    const std::uint32_t sign = bits >> 31;
    std::uint32_t exponent = (bits >> 23) & 0xFF;
    const std::uint32_t mantissa = bits & 0x7FFFFF;
    if (exponent == 0) {
      // Zero or subnormal: |f| = m 2^-149 rounds to 2^-126 with probability m / 2^23, else to 0.
      exponent = (uniforms[i] & 0x7FFFFF) < mantissa ? 1 : 0;
    } else if (exponent < 0xFF) {
      exponent += (uniforms[i] & 0x7FFFFF) < mantissa ? 1 : 0;
    }
    out.words[i] = static_cast<std::uint16_t>(sign << 8 | exponent);
  }
  out.wire_bits = 9ull * d;
}

void NaturalCompression::decode(const CompressedMessage& message, std::span<double> out) const {
  detail::check_decode(message, out, "natural");
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::uint32_t word = message.words[i];
    out[i] = std::bit_cast<float>((word >> 8) << 31 | (word & 0xFF) << 23);
  }
}

}  // namespace dlsim
