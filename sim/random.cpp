// Philox4x32-10 and the distributions drawn from it.
#include "sim/random.hpp"

#include <cmath>
#include <numbers>

namespace dlsim {

std::uint64_t RandomStream::uniform_int_slow(std::uint64_t bound, unsigned __int128 product) {
  // The rare rejection branch of Lemire's method.
  const std::uint64_t threshold = (0 - bound) % bound;
  while (static_cast<std::uint64_t>(product) < threshold)
    product = static_cast<unsigned __int128>(next_u64()) * bound;
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

double RandomStream::exponential(double mean) { return -mean * std::log(1.0 - uniform()); }

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
