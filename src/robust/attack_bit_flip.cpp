// Random bit flips in the fp64 payload: each bit flips independently with
// probability p. See attacks.hpp.
#include <bit>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <stdexcept>

#include "robust/attacks.hpp"

namespace dlsim {

void flip_bits(std::span<double> payload, double p, RandomStream& rng) {
  if (!(p >= 0.0 && p <= 1.0)) throw std::invalid_argument(fmt::format("bit flips: parameter 'p' must be in [0, 1], got {}", p));
  if (p == 0.0) return;
  const std::uint64_t bits = 64 * std::uint64_t(payload.size());
  auto flip = [&](std::uint64_t bit) {
    double& value = payload[bit / 64];
    value = std::bit_cast<double>(std::bit_cast<std::uint64_t>(value) ^ (std::uint64_t{1} << (bit % 64)));
  };
  if (p == 1.0) {
    for (std::uint64_t bit = 0; bit < bits; ++bit) flip(bit);
    return;
  }
  // Gaps between flipped bits are geometric: floor(log U / log(1 - p)), U in (0, 1].
  const double log_keep = std::log1p(-p);
  std::uint64_t bit = 0;
  while (true) {
    const double u = 1.0 - rng.uniform();
    const double gap = std::floor(std::log(u) / log_keep);
    if (!(gap < double(bits - bit))) return;
    bit += std::uint64_t(gap);
    flip(bit);
    if (++bit >= bits) return;
  }
}

}  // namespace dlsim
