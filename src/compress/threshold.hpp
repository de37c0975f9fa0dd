// Threshold sparsification: every coordinate with |x_i| >= threshold.
#pragma once

#include "compress/compressor.hpp"
#include "compress/index_coding.hpp"

namespace dlsim {

// Keeps x_i where |x_i| >= threshold (compared in double).
// Wire: a 32-bit count header (the number kept varies) + per kept coordinate
// one fp32 value + its index coded with `coding`.
// Reconstruction: float(x_i) at the kept indices, 0 elsewhere.
// Deterministic, biased, non-expansive (||C(x) - x|| <= ||x||) but with no
// worst-case contraction: delta = 0 (all below the threshold sends nothing).
class ThresholdSparsifier final : public Compressor {
 public:
  explicit ThresholdSparsifier(double threshold, IndexCoding coding = IndexCoding::log2d);

  std::string name() const override;
  void compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const override;
  void decode(const CompressedMessage& message, std::span<double> out) const override;
  CompressorTraits traits(std::size_t) const override { return {0.0, false, true}; }
  void add_decoded(const CompressedMessage& message, double weight, std::span<double> target) const override;
  using Compressor::compress;
  using Compressor::decode;

 private:
  double threshold_;
  IndexCoding coding_;
};

}  // namespace dlsim
