// An unbiased compressor made a contraction by shrinking what it decodes.
#pragma once

#include <memory>

#include "compress/compressor.hpp"

namespace dlsim {

// For an unbiased C with E||C(x) - x||^2 <= omega ||x||^2, C(x) / (1 + omega)
// satisfies E||C(x)/(1 + omega) - x||^2 <= (1 - 1/(1 + omega)) ||x||^2: a
// contraction with delta = 1 / (1 + omega), as CHOCO needs (Koloskova, Stich,
// Jaggi, ICML 2019, Section 6, which uses qsgd scaled by 1/tau, tau = 1 + omega).
// The message and its size are the inner compressor's; only the
// reconstruction is scaled (the receiver knows d, so it knows omega). Biased.
class Rescaled final : public Compressor {
 public:
  // `inner` must be unbiased (std::invalid_argument otherwise).
  explicit Rescaled(std::unique_ptr<Compressor> inner);

  std::string name() const override;
  void compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const override;
  void decode(const CompressedMessage& message, std::span<double> out) const override;
  void add_decoded(const CompressedMessage& message, double weight, std::span<double> target) const override;
  CompressorTraits traits(std::size_t d) const override;
  using Compressor::compress;
  using Compressor::decode;

  // 1 / (1 + omega) for vectors of dimension d.
  double factor(std::size_t d) const;

 private:
  std::unique_ptr<Compressor> inner_;
};

}  // namespace dlsim
