// QSGD: 32-bit uniforms, two per stream draw, are plenty for the rounding
// probabilities and halve the cost of the random numbers.
#include "compress/qsgd.hpp"

#include <cmath>
#include <fmt/format.h>

#include "compress/detail/util.hpp"
#include "compress/index_coding.hpp"

namespace dlsim {

Qsgd::Qsgd(std::uint32_t levels, Coding coding) : levels_(levels), coding_(coding) {
  if (levels == 0 || levels > (1u << 30)) throw std::invalid_argument("qsgd: levels must be in [1, 2^30]");
}

std::string Qsgd::name() const {
  return fmt::format("qsgd(levels={}, coding={})", levels_, coding_ == Coding::naive ? "naive" : "elias");
}

CompressorTraits Qsgd::traits(std::size_t d) const {
  const double s = levels_;
  const double omega = std::min(double(d) / (s * s), std::sqrt(double(d)) / s);
  return {1.0 - omega, true, false};
}

void Qsgd::compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const {
  const std::size_t d = x.size();
  detail::reset(out, d);
  double norm2 = 0.0;
  for (double v : x) norm2 += v * v;
  const float norm = detail::float_at_least(std::sqrt(norm2));
  out.scale = norm;
  out.levels.resize(d);
  out.scratch_words.resize((d + 1) / 2);
  auto* uniforms = reinterpret_cast<std::uint32_t*>(out.scratch_words.data());
  detail::random_words(rng, uniforms, d);
  const double factor = norm > 0.0f ? double(levels_) / double(norm) : 0.0;
  std::uint64_t level_bits = 0;
  for (std::size_t i = 0; i < d; ++i) {
    const double y = std::abs(x[i]) * factor;
    const double floor_y = std::floor(y);
    std::int32_t level = static_cast<std::int32_t>(floor_y) +
                         (double(uniforms[i]) * 0x1.0p-32 < y - floor_y ? 1 : 0);
    level = std::min<std::int32_t>(level, std::int32_t(levels_));
    if (coding_ == Coding::elias) level_bits += elias_gamma_bits(std::uint64_t(level) + 1) + (level > 0);
    out.levels[i] = x[i] < 0 ? -level : level;
  }
  if (coding_ == Coding::naive) level_bits = std::uint64_t(d) * (1 + ceil_log2(std::uint64_t{levels_} + 1));
  out.wire_bits = 32 + level_bits;
}

void Qsgd::decode(const CompressedMessage& message, std::span<double> out) const {
  detail::check_decode(message, out, "qsgd");
  const double unit = double(message.scale) / double(levels_);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = unit * message.levels[i];
}

}  // namespace dlsim
