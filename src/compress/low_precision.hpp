// Low-precision casts: fp16, bf16, int8 with one scale.
#pragma once

#include "compress/compressor.hpp"

namespace dlsim {

// format fp16 (IEEE binary16), bf16 (bfloat16), int8 (q_i in [-127, 127],
// value q_i * scale with scale = max_i |x_i| / 127 sent as fp32).
// Wire: fp16 and bf16: 16 d bits, no header; int8: 8 d bits + one fp32 scale.
// Rounding: to nearest (ties to even for fp16/bf16, away from zero for int8),
// deterministic and biased; with `stochastic` it rounds up with probability
// equal to the distance from the lower neighbour, which makes it unbiased.
// fp16 saturates at +-65504. Bounds (values in the format's normal range):
//   fp16: 1 - delta = 2^-22, bf16: 2^-16 (relative rounding 2^-11, 2^-8; for
//   stochastic rounding the variance bound omega equals the same figure);
//   int8: 1 - delta = d / (4 * 127^2) (error <= scale / 2 per coordinate), the
//   same for the stochastic variance.
class LowPrecision final : public Compressor {
 public:
  enum class Format { fp16, bf16, int8 };
  explicit LowPrecision(Format format, bool stochastic = false);

  std::string name() const override;
  void compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const override;
  void decode(const CompressedMessage& message, std::span<double> out) const override;
  CompressorTraits traits(std::size_t d) const override;
  using Compressor::compress;
  using Compressor::decode;

  static Format parse_format(std::string_view name);

 private:
  Format format_;
  bool stochastic_;
};

// IEEE half-precision bits -> float (exact).
float half_to_float(std::uint16_t half);

}  // namespace dlsim
