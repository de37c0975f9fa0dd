// Philox4x32-10 and the distributions drawn from it.
#include "sim/random.hpp"

#include <cmath>
#include <numbers>

namespace dlsim {

std::uint64_t RandomStream::uniform_int_slow(std::uint64_t bound, UnsignedInt128 product) {
  // The rare rejection branch of Lemire's method.
  const std::uint64_t threshold = (0 - bound) % bound;
  while (static_cast<std::uint64_t>(product) < threshold)
    product = static_cast<UnsignedInt128>(next_u64()) * bound;
  return static_cast<std::uint64_t>(product >> 64);
}

double RandomStream::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  // 1 - uniform() lies in (0, 1], so the logarithm is finite.
  const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
  const double angle = 2.0 * std::numbers::pi * uniform();
  spare_normal_ = radius * std::sin(angle);
  has_spare_normal_ = true;
  return radius * std::cos(angle);
}

namespace random_detail {

// The base layer's right edge (where the tail begins) and each layer's area,
// for 256 layers.
constexpr double kTailStart = 7.69711747013104972;
constexpr double kLayerArea = 3.949659822581557e-3;

ExponentialZiggurat::ExponentialZiggurat() {
  x[0] = kLayerArea / std::exp(-kTailStart);
  x[1] = kTailStart;
  for (int i = 1; i < kLayers - 1; ++i) x[i + 1] = -std::log(kLayerArea / x[i] + std::exp(-x[i]));
  x[kLayers] = 0.0;
  for (int i = 0; i <= kLayers; ++i) f[i] = std::exp(-x[i]);
  for (int i = 0; i < kLayers; ++i) ratio[i] = x[i + 1] / x[i];
}

}  // namespace random_detail

double RandomStream::exponential_after_first_try(double mean, std::uint64_t bits) {
  // The rest of the ziggurat (1.1% of draws): the first try's point `bits`
  // fell outside its layer's rectangle; the tail, the wedge, or a new try.
  const random_detail::ExponentialZiggurat& z = random_detail::exponential_ziggurat();
  constexpr int kLayers = random_detail::ExponentialZiggurat::kLayers;
  using random_detail::kTailStart;
  for (;;) {
    const int layer = static_cast<int>(bits & (kLayers - 1));
    const double u = static_cast<double>(bits >> 11) * 0x1.0p-53;
    const double x = u * z.x[layer];
    if (u < z.ratio[layer]) return mean * x;
    if (layer == 0) return mean * (kTailStart - std::log(1.0 - uniform()));
    // The wedge between the layer's rectangle and the curve.
    if (z.f[layer] + uniform() * (z.f[layer + 1] - z.f[layer]) < std::exp(-x)) return mean * x;
    bits = next_u64();
  }
}

double RandomStream::gamma(double shape) {
  // Marsaglia and Tsang, "A simple method for generating gamma variables", TOMS 2000.
  if (shape < 1.0) {
    const double u = 1.0 - uniform();
    return gamma(shape + 1.0) * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = 1.0 - uniform();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}

}  // namespace dlsim
