// PowerSGD-style low-rank compression of a matrix-shaped block (Vogels,
// Karimireddy, Jaggi, "PowerSGD: practical low-rank gradient compression for
// distributed optimization", NeurIPS 2019).
#pragma once

#include "compress/compressor.hpp"

namespace dlsim {

// x is read as an m x n matrix M, column-major (m = rows, n = d / m; requires
// d % rows == 0). One power iteration from a fresh Gaussian Q (n x r, drawn
// from the stream): P = orthonormalise(M Q) (m x r), Q = M^T P (n x r).
// Wire: P and Q as fp32, no header: 32 r (m + n) bits.
// Reconstruction: P Q^T with the fp32 factors.
// Biased. P P^T M is an orthogonal projection of M, so ||C(x) - x|| <= ||x||
// (up to fp32 rounding), but there is no worst-case contraction: delta = 0.
// Unlike the paper, Q is not warm-started from the previous round: the operator
// is stateless. Use it with error feedback, as the paper does.
// Cost: about 4 m n r flops + the QR of an m x r matrix.
class PowerSgd final : public Compressor {
 public:
  PowerSgd(std::size_t rows, std::size_t rank);

  std::string name() const override;
  void compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const override;
  void decode(const CompressedMessage& message, std::span<double> out) const override;
  CompressorTraits traits(std::size_t) const override { return {0.0, false, false}; }
  using Compressor::compress;
  using Compressor::decode;

 private:
  std::size_t rows_;
  std::size_t rank_;
};

}  // namespace dlsim
