// Internal to src/compress: helpers shared by the operators.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>
#include <stdexcept>
#include <string>

#include "compress/compressor.hpp"
#include "sim/random.hpp"

namespace dlsim::detail {

inline void check_decode(const CompressedMessage& message, std::span<double> out, const char* who) {
  if (out.size() != message.dim)
    throw std::invalid_argument(std::string(who) + ": decode buffer has " + std::to_string(out.size()) +
                                " values, message has " + std::to_string(message.dim));
}

// out = 0 except out[indices[j]] = factor * values[j].
inline void scatter(const CompressedMessage& message, double factor, std::span<double> out) {
  std::fill(out.begin(), out.end(), 0.0);
  for (std::size_t j = 0; j < message.indices.size(); ++j)
    out[message.indices[j]] = factor * double(message.values[j]);
}

// target[indices[j]] += weight * (factor * values[j]): scatter() then an axpy, without the zeros.
inline void scatter_add(const CompressedMessage& message, double factor, double weight, std::span<double> target) {
  for (std::size_t j = 0; j < message.indices.size(); ++j)
    target[message.indices[j]] += weight * (factor * double(message.values[j]));
}

// Resets the payload fields of a reused message.
inline void reset(CompressedMessage& message, std::size_t dim) {
  message.dim = dim;
  message.indices.clear();
  message.values.clear();
  message.signs.clear();
  message.levels.clear();
  message.words.clear();
  message.scale = 0.0f;
  message.seed = 0;
  message.wire_bits = 0;
}

// The smallest float >= v (v >= 0): a norm sent as fp32 that never undercuts
// the true one, so that |x_i| / norm <= 1 still holds at the receiver's precision.
inline float float_at_least(double v) {
  float f = static_cast<float>(v);
  if (double(f) < v) f = std::nextafter(f, INFINITY);
  return f;
}

// Number of entries to keep for "k as count or ratio": k if k > 0, else
// round(ratio * d), at least 1, at most d.
inline std::size_t resolve_k(std::size_t k, double ratio, std::size_t d) {
  if (d == 0) return 0;
  std::size_t kept = k > 0 ? k : static_cast<std::size_t>(std::llround(ratio * double(d)));
  return std::clamp<std::size_t>(kept, 1, d);
}

// Fills out[0..n) with 32-bit random words: one draw from `rng` keys them
// (see WordStream). The random numbers are the hot loop of QSGD, natural
// compression and stochastic rounding.
inline void random_words(RandomStream& rng, std::uint32_t* out, std::size_t n) {
  WordStream(rng, 0x636f6d70u /* "comp" */).fill(out, n);
}

}  // namespace dlsim::detail
