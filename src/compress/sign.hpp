// Scaled sign compression (signSGD with a norm; Bernstein et al., ICML 2018;
// scaled as in Karimireddy et al., ICML 2019).
#pragma once

#include "compress/compressor.hpp"

namespace dlsim {

// C(x) = (||x||_1 / d) sign(x), with sign(0) sent as +.
// Wire: one fp32 scale (the header) + 1 bit per coordinate: d + 32 bits.
// Reconstruction: +-float(||x||_1 / d).
// ||C(x) - x||^2 = ||x||^2 - ||x||_1^2 / d, so delta = ||x||_1^2 / (d ||x||_2^2) >= 1/d:
// traits() states the worst case 1/d. Deterministic, biased; no unbiased
// rescaling exists (the stochastic variants need other codes).
class ScaledSign final : public Compressor {
 public:
  std::string name() const override { return "sign"; }
  void compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const override;
  void decode(const CompressedMessage& message, std::span<double> out) const override;
  CompressorTraits traits(std::size_t d) const override { return {d ? 1.0 / double(d) : 1.0, false, true}; }
  using Compressor::compress;
  using Compressor::decode;
};

}  // namespace dlsim
