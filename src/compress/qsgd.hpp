// QSGD: stochastic quantisation to s levels of the norm (Alistarh, Grubic, Li,
// Tomioka, Vojnovic, "QSGD: communication-efficient SGD via gradient
// quantization and encoding", NeurIPS 2017). Also known as random dithering.
#pragma once

#include "compress/compressor.hpp"

namespace dlsim {

// With r = float(||x||_2) (rounded up) and y_i = s |x_i| / r in [0, s]:
// level l_i = floor(y_i) + Bernoulli(y_i - floor(y_i)); C(x)_i = r sign(x_i) l_i / s.
// Wire: one fp32 norm (the header) +
//   coding naive: per coordinate 1 sign bit + ceil(log2(s + 1)) level bits;
//   coding elias: per coordinate Elias-gamma(l_i + 1) bits, + 1 sign bit when l_i > 0
//   (a simplified form of the paper's Elias coding: zeros cost a single bit).
// Unbiased; variance omega = min(d / s^2, sqrt(d) / s) (paper, Lemma 3.1), so
// delta = 1 - omega. Draws one 32-bit uniform per coordinate.
class Qsgd final : public Compressor {
 public:
  enum class Coding { naive, elias };
  explicit Qsgd(std::uint32_t levels, Coding coding = Coding::naive);

  std::string name() const override;
  void compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const override;
  void decode(const CompressedMessage& message, std::span<double> out) const override;
  CompressorTraits traits(std::size_t d) const override;
  using Compressor::compress;
  using Compressor::decode;

 private:
  std::uint32_t levels_;
  Coding coding_;
};

}  // namespace dlsim
