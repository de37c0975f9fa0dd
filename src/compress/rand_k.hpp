// Random-k sparsification: k coordinates chosen uniformly without replacement.
#pragma once

#include "compress/compressor.hpp"
#include "compress/index_coding.hpp"

namespace dlsim {

// k = count if count > 0, else round(ratio * d), clamped to [1, d].
// Wire: k fp32 values + the indices coded with `coding`, no header; with
// shared_seed the receiver draws the same indices from a stream both ends hold
// (e.g. keyed by the round), so no indices are sent: 32 k bits. (The message
// still carries the indices, only for the simulation's convenience; they are
// not counted.)
// Reconstruction: scale * float(x_i) at the chosen indices, 0 elsewhere, with
// scale = 1 (biased, delta = k/d) or, with `scaled`, d/k (unbiased, variance
// omega = d/k - 1, so delta = 2 - d/k: a contraction only after dividing by d/k).
// Cost: O(k) draws (Floyd's algorithm) + O(d/64) to list the indices in order.
class RandK final : public Compressor {
 public:
  RandK(std::size_t count, double ratio, bool scaled = false, bool shared_seed = false,
        IndexCoding coding = IndexCoding::log2d);

  std::string name() const override;
  void compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const override;
  void decode(const CompressedMessage& message, std::span<double> out) const override;
  CompressorTraits traits(std::size_t d) const override;
  void add_decoded(const CompressedMessage& message, double weight, std::span<double> target) const override;
  using Compressor::compress;
  using Compressor::decode;

 private:
  // d / k for the scaled variant, 1 otherwise.
  double decode_factor(const CompressedMessage& message) const;

  std::size_t count_;
  double ratio_;
  bool scaled_;
  bool shared_seed_;
  IndexCoding coding_;
};

}  // namespace dlsim
