// Natural compression: stochastic rounding to a power of two (Horvath, Ho,
// Horvath, Sahu, Canini, Richtarik, "Natural compression for distributed deep
// learning", arXiv:1905.10988, 2019).
#pragma once

#include "compress/compressor.hpp"

namespace dlsim {

// Each value is first rounded to fp32 (f), then |f| in [2^e, 2^(e+1)) becomes
// 2^(e+1) with probability (|f| - 2^e) / 2^e and 2^e otherwise; the sign is kept.
// Wire: 9 bits per value (sign + 8-bit fp32 exponent), no header: 9 d bits.
// Reconstruction: +-2^e as a float (0 stays 0).
// Unbiased (exactly, relative to f); omega = 1/8, delta = 7/8. Values beyond
// fp32 range or rounding up past 2^127 are outside the contract.
class NaturalCompression final : public Compressor {
 public:
  std::string name() const override { return "natural"; }
  void compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const override;
  void decode(const CompressedMessage& message, std::span<double> out) const override;
  CompressorTraits traits(std::size_t) const override { return {7.0 / 8.0, true, false}; }
  using Compressor::compress;
  using Compressor::decode;
};

}  // namespace dlsim
