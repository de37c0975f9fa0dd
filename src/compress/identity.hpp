// No compression: every value as fp32.
#pragma once

#include "compress/compressor.hpp"

namespace dlsim {

// Wire: d fp32 values, no header: 32 d bits. Reconstruction: float(x_i).
// delta = 1 and unbiased, up to fp32 rounding (relative error <= 2^-24 per value).
class Identity final : public Compressor {
 public:
  std::string name() const override { return "identity"; }
  void compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const override;
  void decode(const CompressedMessage& message, std::span<double> out) const override;
  CompressorTraits traits(std::size_t) const override { return {1.0, true, true}; }
  using Compressor::compress;
  using Compressor::decode;
};

}  // namespace dlsim
