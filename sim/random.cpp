// Philox4x32-10 and the distributions drawn from it.
#include "sim/random.hpp"

#include <cmath>
#include <numbers>

namespace dlsim {
namespace {

constexpr std::uint32_t kMultiplier0 = 0xD2511F53u;
constexpr std::uint32_t kMultiplier1 = 0xCD9E8D57u;
constexpr std::uint32_t kWeyl0 = 0x9E3779B9u;  // golden ratio
constexpr std::uint32_t kWeyl1 = 0xBB67AE85u;  // sqrt(3) - 1

}  // namespace

PhiloxBlock philox4x32_10(const std::uint32_t counter[4], const std::uint32_t key[2]) {
  std::uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
  std::uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t product0 = std::uint64_t{kMultiplier0} * c0;
    const std::uint64_t product1 = std::uint64_t{kMultiplier1} * c2;
    const std::uint32_t next0 = static_cast<std::uint32_t>(product1 >> 32) ^ c1 ^ k0;
    const std::uint32_t next2 = static_cast<std::uint32_t>(product0 >> 32) ^ c3 ^ k1;
    c1 = static_cast<std::uint32_t>(product1);
    c3 = static_cast<std::uint32_t>(product0);
    c0 = next0;
    c2 = next2;
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  return PhiloxBlock{{c0, c1, c2, c3}};
}

std::uint64_t mix64(std::uint64_t a, std::uint64_t b) {
  std::uint64_t z = a + 0x9E3779B97F4A7C15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// The node sits in the counter (not hashed), so streams of different nodes can
// never overlap; seed, purpose and substream are hashed into the 64-bit key
// (two distinct triples share a key with probability 2^-64).
RandomStream::RandomStream(std::uint64_t seed, std::uint64_t node, std::uint64_t purpose,
                           std::uint64_t substream) {
  const std::uint64_t key = mix64(mix64(mix64(seed, 0x5eed), purpose), substream);
  key_[0] = static_cast<std::uint32_t>(key);
  key_[1] = static_cast<std::uint32_t>(key >> 32);
  node_low_ = static_cast<std::uint32_t>(node);
  node_high_ = static_cast<std::uint32_t>(node >> 32);
}

void RandomStream::refill() {
  const std::uint32_t counter[4] = {static_cast<std::uint32_t>(counter_),
                                    static_cast<std::uint32_t>(counter_ >> 32), node_low_,
                                    node_high_};
  const PhiloxBlock block = philox4x32_10(counter, key_);
  ++counter_;
  buffer_[0] = (std::uint64_t{block.words[1]} << 32) | block.words[0];
  buffer_[1] = (std::uint64_t{block.words[3]} << 32) | block.words[2];
  buffered_ = 2;
}

std::uint64_t RandomStream::next_u64() {
  if (buffered_ == 0) refill();
  return buffer_[2 - buffered_--];
}

double RandomStream::uniform() {
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

std::uint64_t RandomStream::uniform_int(std::uint64_t bound) {
  // Lemire, "Fast random integer generation in an interval", TOMACS 2019.
  unsigned __int128 product = static_cast<unsigned __int128>(next_u64()) * bound;
  std::uint64_t low = static_cast<std::uint64_t>(product);
  if (low < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      product = static_cast<unsigned __int128>(next_u64()) * bound;
      low = static_cast<std::uint64_t>(product);
    }
  }
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
