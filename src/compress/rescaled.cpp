#include "compress/rescaled.hpp"

#include <stdexcept>

namespace dlsim {

Rescaled::Rescaled(std::unique_ptr<Compressor> inner) : inner_(std::move(inner)) {
  if (!inner_->traits(1).unbiased) throw std::invalid_argument(inner_->name() + ": only an unbiased compressor can be rescaled");
}

std::string Rescaled::name() const { return "rescaled " + inner_->name(); }

double Rescaled::factor(std::size_t d) const {
  // For an unbiased operator traits() gives delta = 1 - omega.
  const double omega = 1.0 - inner_->traits(d).delta;
  return 1.0 / (1.0 + omega);
}

void Rescaled::compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const {
  inner_->compress(x, rng, out);
}

void Rescaled::decode(const CompressedMessage& message, std::span<double> out) const {
  inner_->decode(message, out);
  const double scale = factor(message.dim);
  for (double& value : out) value *= scale;
}

void Rescaled::add_decoded(const CompressedMessage& message, double weight, std::span<double> target) const {
  inner_->add_decoded(message, weight * factor(message.dim), target);
}

CompressorTraits Rescaled::traits(std::size_t d) const {
  CompressorTraits traits = inner_->traits(d);
  traits.delta = factor(d);
  traits.unbiased = false;
  return traits;
}

}  // namespace dlsim
