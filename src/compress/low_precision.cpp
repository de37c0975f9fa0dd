// Casts done on bit patterns: one comparison of the discarded bits against the
// round-up rule (nearest-even or a random threshold) per value, no libm calls.
#include "compress/low_precision.hpp"

#include <bit>
#include <cmath>
#include <fmt/format.h>

#include "compress/detail/util.hpp"

namespace dlsim {
namespace {

constexpr std::uint16_t kHalfMax = 0x7BFF;  // 65504

// float -> fp16 bits; `random` (13 or more random bits) is used when stochastic.
inline std::uint16_t float_to_half(float f, bool stochastic, std::uint32_t random) {
  const std::uint32_t b = std::bit_cast<std::uint32_t>(f);
  const std::uint32_t sign = (b >> 16) & 0x8000u;
  const std::uint32_t a = b & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return static_cast<std::uint16_t>(sign | 0x7E00u);  // NaN
  const int e = int(a >> 23) - 127 + 15;
  std::uint32_t h;
  if (e >= 31) {
    h = kHalfMax;
  } else if (e <= 0) {
    // Subnormal half: units of 2^-24; the product is exact (power-of-two scaling).
    const float q = std::bit_cast<float>(a) * 0x1.0p24f;
    const float whole = std::floor(q);
    const float frac = q - whole;
    h = static_cast<std::uint32_t>(whole);
    if (stochastic) h += float(random & 0xFFFFFF) * 0x1.0p-24f < frac;
    else h += frac > 0.5f || (frac == 0.5f && (h & 1));
  } else {
    const std::uint32_t m = a & 0x7FFFFFu;
    h = std::uint32_t(e) << 10 | m >> 13;
    const std::uint32_t rest = m & 0x1FFFu;
    if (stochastic) h += (random & 0x1FFFu) < rest;
    else h += rest > 0x1000u || (rest == 0x1000u && (h & 1));
    if (h > kHalfMax) h = kHalfMax;
  }
  return static_cast<std::uint16_t>(sign | h);
}

inline std::uint16_t float_to_bf16(float f, bool stochastic, std::uint32_t random) {
  const std::uint32_t b = std::bit_cast<std::uint32_t>(f);
  if ((b & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<std::uint16_t>((b >> 16) | 0x40u);  // NaN stays NaN
  if (stochastic) return static_cast<std::uint16_t>((b + (random & 0xFFFFu)) >> 16);
  return static_cast<std::uint16_t>((b + 0x7FFFu + ((b >> 16) & 1u)) >> 16);
}

}  // namespace

float half_to_float(std::uint16_t half) {
  const std::uint32_t sign = std::uint32_t(half & 0x8000u) << 16;
  const std::uint32_t e = (half >> 10) & 0x1Fu;
  const std::uint32_t m = half & 0x3FFu;
  if (e == 0) return std::bit_cast<float>(sign) + (sign ? -1.0f : 1.0f) * float(m) * 0x1.0p-24f;
  if (e == 31) return std::bit_cast<float>(sign | 0x7F800000u | m << 13);
  return std::bit_cast<float>(sign | (e + 112) << 23 | m << 13);
}

LowPrecision::LowPrecision(Format format, bool stochastic) : format_(format), stochastic_(stochastic) {}

LowPrecision::Format LowPrecision::parse_format(std::string_view name) {
  if (name == "fp16") return Format::fp16;
  if (name == "bf16") return Format::bf16;
  if (name == "int8") return Format::int8;
  throw std::invalid_argument("unknown low-precision format '" + std::string(name) + "' (expected fp16, bf16 or int8)");
}

std::string LowPrecision::name() const {
  static constexpr const char* names[] = {"fp16", "bf16", "int8"};
  return fmt::format("low-precision(format={}, stochastic={})", names[int(format_)], stochastic_);
}

CompressorTraits LowPrecision::traits(std::size_t d) const {
  double rest = 0.0;
  switch (format_) {
    case Format::fp16: rest = 0x1.0p-22; break;
    case Format::bf16: rest = 0x1.0p-16; break;
    case Format::int8: rest = double(d) / (4.0 * 127.0 * 127.0); break;
  }
  return {1.0 - rest, stochastic_, !stochastic_};
}

void LowPrecision::compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const {
  const std::size_t d = x.size();
  detail::reset(out, d);
  std::uint32_t* uniforms = nullptr;
  if (stochastic_) {
    out.scratch_words.resize((d + 1) / 2);
    uniforms = reinterpret_cast<std::uint32_t*>(out.scratch_words.data());
    detail::random_words(rng, uniforms, d);
  }
  if (format_ == Format::int8) {
    double largest = 0.0;
    for (double v : x) largest = std::max(largest, std::abs(v));
    const float scale = detail::float_at_least(largest / 127.0);
    out.scale = scale;
    out.levels.resize(d);
    const double inverse = scale > 0.0f ? 1.0 / double(scale) : 0.0;
    for (std::size_t i = 0; i < d; ++i) {
      const double q = x[i] * inverse;
      const double rounded = stochastic_ ? std::floor(q + double(uniforms[i]) * 0x1.0p-32)
                                         : std::trunc(q + std::copysign(0.5, q));
      out.levels[i] = static_cast<std::int32_t>(std::clamp(rounded, -127.0, 127.0));
    }
    out.wire_bits = 8ull * d + 32;
    return;
  }
  out.words.resize(d);
  if (format_ == Format::fp16) {
    for (std::size_t i = 0; i < d; ++i)
      out.words[i] = float_to_half(static_cast<float>(x[i]), stochastic_, stochastic_ ? uniforms[i] : 0);
  } else {
    for (std::size_t i = 0; i < d; ++i)
      out.words[i] = float_to_bf16(static_cast<float>(x[i]), stochastic_, stochastic_ ? uniforms[i] : 0);
  }
  out.wire_bits = 16ull * d;
}

void LowPrecision::decode(const CompressedMessage& message, std::span<double> out) const {
  detail::check_decode(message, out, "low-precision");
  switch (format_) {
    case Format::fp16:
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = half_to_float(message.words[i]);
      break;
    case Format::bf16:
      for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = std::bit_cast<float>(std::uint32_t{message.words[i]} << 16);
      break;
    case Format::int8: {
      const double scale = message.scale;
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = scale * message.levels[i];
      break;
    }
  }
}

}  // namespace dlsim
