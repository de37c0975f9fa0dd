// Counter-based random streams: the only source of randomness in dlsim.
//
// A stream is keyed by (scenario seed, node id, purpose[, substream]) and draws
// Philox4x32-10 blocks (Salmon, Moraes, Dror, Shaw, "Parallel random numbers:
// as easy as 1, 2, 3", SC 2011) at consecutive counters. Two streams with
// different keys never share a block, and a stream's n-th draw depends only on
// its key and n, never on which thread asks or when. That is what makes a run
// bit-identical for any thread count: there is no global or per-thread
// generator anywhere in the project.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

namespace dlsim {

// The raw Philox4x32-10 bijection: 128-bit counter, 64-bit key -> 128 random bits.
struct PhiloxBlock {
  std::uint32_t words[4];
};
PhiloxBlock philox4x32_10(const std::uint32_t counter[4], const std::uint32_t key[2]);

// A stable 64-bit id for a purpose name (FNV-1a), usable at compile time:
//   constexpr auto kSampler = purpose_id("data.sampler");
constexpr std::uint64_t purpose_id(std::string_view name) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// A sequence of random numbers for one (seed, node, purpose, substream).
// Value type, 56 bytes; copying it copies the position, so a copy replays the
// same numbers. Not thread-safe: give each owner its own stream.
class RandomStream {
 public:
  RandomStream(std::uint64_t seed, std::uint64_t node, std::uint64_t purpose,
               std::uint64_t substream = 0);

  // 64 uniformly random bits.
  std::uint64_t next_u64();
  // Uniform on [0, 1) with 53 random bits.
  double uniform();
  // Uniform on [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // Uniform integer on [0, bound), exactly unbiased (Lemire's multiply-and-reject).
  // Requires bound > 0.
  std::uint64_t uniform_int(std::uint64_t bound);
  // Standard normal N(0, 1) (Box-Muller; the second value is cached).
  double normal();
  double normal(double mean, double stddev) { return mean + stddev * normal(); }
  // Exponential with the given mean (> 0).
  double exponential(double mean);
  // true with probability p (p outside [0, 1] is clamped).
  bool bernoulli(double p) { return p >= 1.0 || (p > 0.0 && uniform() < p); }
  // Gamma(shape, 1) (Marsaglia-Tsang), shape > 0; used for Dirichlet draws.
  double gamma(double shape);

  // Fisher-Yates shuffle in place.
  template <typename T>
  void shuffle(std::span<T> values) {
    for (std::size_t i = values.size(); i > 1; --i) {
      std::size_t j = static_cast<std::size_t>(uniform_int(i));
      std::swap(values[i - 1], values[j]);
    }
  }

  // Number of 64-bit words drawn so far (for tests and checkpoints).
  std::uint64_t position() const { return counter_ * 2 - buffered_; }

 private:
  void refill();

  std::uint32_t key_[2];
  std::uint32_t node_low_;
  std::uint32_t node_high_;
  std::uint64_t counter_ = 0;
  std::uint64_t buffer_[2] = {0, 0};
  std::uint32_t buffered_ = 0;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

// A 64-bit mix of two words (SplitMix64 finaliser); for hashing keys, never as a generator.
std::uint64_t mix64(std::uint64_t a, std::uint64_t b = 0);

}  // namespace dlsim
