// Top-k sparsification: the k largest-magnitude coordinates.
#pragma once

#include "compress/compressor.hpp"
#include "compress/index_coding.hpp"

namespace dlsim {

// Keeps the k coordinates of largest |x_i| (k = count if count > 0, else
// round(ratio * d), clamped to [1, d]); ties broken by lower index.
// Wire: k fp32 values + the k ascending indices coded with `coding`; no header
// (k is known): e.g. top-2 of d = 1000 with log2d coding is 2 x (32 + 10) = 84 bits.
// Reconstruction: float(x_i) at the kept indices, 0 elsewhere.
// delta = k/d (deterministic, biased; no unbiased rescaling exists). Cost:
// O(d) expected (nth_element on the magnitudes, then one pass), no full sort.
class TopK final : public Compressor {
 public:
  TopK(std::size_t count, double ratio, IndexCoding coding = IndexCoding::log2d);

  std::string name() const override;
  void compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const override;
  void decode(const CompressedMessage& message, std::span<double> out) const override;
  CompressorTraits traits(std::size_t d) const override;
  void add_decoded(const CompressedMessage& message, double weight, std::span<double> target) const override;
  using Compressor::compress;
  using Compressor::decode;

 private:
  std::size_t count_;
  double ratio_;
  IndexCoding coding_;
};

}  // namespace dlsim
