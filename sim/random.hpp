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

#include "sim/int128.hpp"

namespace dlsim {

// The raw Philox4x32-10 bijection: 128-bit counter, 64-bit key -> 128 random bits.
struct PhiloxBlock {
  std::uint32_t words[4];
};
inline constexpr std::uint32_t kPhiloxMultiplier0 = 0xD2511F53u;
inline constexpr std::uint32_t kPhiloxMultiplier1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kPhiloxWeyl0 = 0x9E3779B9u;  // golden ratio
inline constexpr std::uint32_t kPhiloxWeyl1 = 0xBB67AE85u;  // sqrt(3) - 1
// Inline: it runs for every two 64-bit draws, on the engine's hot path.
inline PhiloxBlock philox4x32_10(const std::uint32_t counter[4], const std::uint32_t key[2]) {
  constexpr std::uint32_t kMultiplier0 = kPhiloxMultiplier0;
  constexpr std::uint32_t kMultiplier1 = kPhiloxMultiplier1;
  constexpr std::uint32_t kWeyl0 = kPhiloxWeyl0;
  constexpr std::uint32_t kWeyl1 = kPhiloxWeyl1;
  std::uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
  std::uint32_t k0 = key[0], k1 = key[1];
  // Unrolled: straight-line rounds, no loop counter or branch on the engine's hot path.
#pragma GCC unroll 10
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

// A 64-bit mix of two words (SplitMix64 finaliser); for hashing keys, never as a generator.
constexpr std::uint64_t mix64(std::uint64_t a, std::uint64_t b = 0) {
  std::uint64_t z = a + 0x9E3779B97F4A7C15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

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
  // The node sits in the counter (not hashed), so streams of different nodes
  // never overlap; seed, purpose and substream are hashed into the 64-bit key
  // (two distinct triples share a key with probability 2^-64).
  RandomStream(std::uint64_t seed, std::uint64_t node, std::uint64_t purpose,
               std::uint64_t substream = 0)
      : RandomStream(KeyedBy{purpose_key(seed_key(seed), purpose)}, node, substream) {}

  // The key's parts that a run's many streams of one purpose share (the
  // engine opens one or two streams per event): code that opens them in a
  // loop computes these once and calls keyed(), which gives the same stream
  // as the constructor for two fewer mixes.
  static constexpr std::uint64_t seed_key(std::uint64_t seed) { return mix64(seed, 0x5eed); }
  static constexpr std::uint64_t purpose_key(std::uint64_t seed_key, std::uint64_t purpose) {
    return mix64(seed_key, purpose);
  }
  // The stream RandomStream(seed, node, purpose, substream), given
  // purpose_key(seed_key(seed), purpose).
  static RandomStream keyed(std::uint64_t purpose_key, std::uint64_t node, std::uint64_t substream) {
    return RandomStream(KeyedBy{purpose_key}, node, substream);
  }

  // 64 uniformly random bits.
  std::uint64_t next_u64() {
    if (buffered_ == 0) refill();
    return buffer_[2 - buffered_--];
  }
  // Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform on [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // Uniform integer on [0, bound), exactly unbiased (Lemire's multiply-and-reject).
  // Requires bound > 0.
  [[gnu::always_inline]] std::uint64_t uniform_int(std::uint64_t bound) {
    // Lemire, "Fast random integer generation in an interval", TOMACS 2019.
    UnsignedInt128 product = static_cast<UnsignedInt128>(next_u64()) * bound;
    if (static_cast<std::uint64_t>(product) < bound) [[unlikely]]
      return on_copy<std::uint64_t>([&](RandomStream& stream) { return stream.uniform_int_slow(bound, product); });
    return static_cast<std::uint64_t>(product >> 64);
  }
  // Standard normal N(0, 1) (Box-Muller; the second value is cached).
  double normal();
  double normal(double mean, double stddev) { return mean + stddev * normal(); }
  // Exponential with the given mean (> 0), by a ziggurat. Its first try,
  // which almost always succeeds, is inline: event delays are drawn on the
  // engine's hot path (network jitter, churn).
  double exponential(double mean);
  // true with probability p (p outside [0, 1] is clamped).
  bool bernoulli(double p) { return p >= 1.0 || (p > 0.0 && uniform() < p); }
  // Gamma(shape, 1) (Marsaglia-Tsang), shape > 0; used for Dirichlet draws.
  double gamma(double shape);

  // Fisher-Yates shuffle in place.
  // The draws are next_u64()'s in the same order, but where eight or more
  // remain they come sixteen at a time from eight Philox blocks made at once
  // (eight lanes of AVX2 where the processor has it): a minibatch sampler's
  // shuffle, one block per two draws, was 9% of a D-PSGD node-round.
  template <typename T>
  void shuffle(std::span<T> values) {
    std::size_t i = values.size();
    while (i > 1) {
      if (buffered_ != 0 || i - 1 < kGroupWords / 2) {
        std::swap(values[i - 1], values[static_cast<std::size_t>(uniform_int(i))]);
        --i;
        continue;
      }
      std::uint64_t words[kGroupWords];
      make_group(words);
      std::size_t used = 0;
      while (used < kGroupWords && i > 1) {
        const UnsignedInt128 product = static_cast<UnsignedInt128>(words[used++]) * i;
        std::size_t j = static_cast<std::size_t>(product >> 64);
        if (static_cast<std::uint64_t>(product) < i) {
          // Lemire's rare rejection draws more: from the stream, right after this word.
          seek(position() - (kGroupWords - used));
          used = kGroupWords;
          j = static_cast<std::size_t>(uniform_int_slow(i, product));
        }
        std::swap(values[i - 1], values[j]);
        --i;
      }
      if (used < kGroupWords) seek(position() - (kGroupWords - used));  // the words not drawn go back
    }
  }

  // Number of 64-bit words drawn so far (for tests and checkpoints).
  std::uint64_t position() const { return counter_ * 2 - buffered_; }

 private:
  void refill() {
    const std::uint32_t counter[4] = {static_cast<std::uint32_t>(counter_),
                                      static_cast<std::uint32_t>(counter_ >> 32), node_low_,
                                      node_high_};
    const PhiloxBlock block = philox4x32_10(counter, key_);
    ++counter_;
    buffer_[0] = (std::uint64_t{block.words[1]} << 32) | block.words[0];
    buffer_[1] = (std::uint64_t{block.words[3]} << 32) | block.words[2];
    buffered_ = 2;
  }
  std::uint64_t uniform_int_slow(std::uint64_t bound, UnsignedInt128 product);
  // The next kGroupWords draws of next_u64() (requires buffered_ == 0).
  static constexpr std::size_t kGroupWords = 16;
  void make_group(std::uint64_t (&words)[kGroupWords]);
  // Puts the stream where `position` words have been drawn.
  void seek(std::uint64_t position) {
    counter_ = position / 2;
    buffered_ = 0;
    if (position % 2 != 0) {
      refill();
      buffered_ = 1;
    }
  }
  double exponential_after_first_try(double mean, std::uint64_t bits);
  // Runs `rare` (an out-of-line continuation of a draw) on a copy of the
  // stream and takes the copy's position back. The stream's own address then
  // never escapes to a call, so a stream made for one draw (the engine's
  // jitter, PHOLD's target) stays in registers on the common path instead of
  // being written to memory before the draw: 15-20 instructions a stream.
  template <typename Value, typename Rare>
  [[gnu::always_inline]] Value on_copy(Rare rare) {
    RandomStream copy = *this;
    const Value value = rare(copy);
    *this = copy;
    return value;
  }

  struct KeyedBy {
    std::uint64_t purpose_key;
  };
  RandomStream(KeyedBy prefix, std::uint64_t node, std::uint64_t substream) {
    const std::uint64_t key = mix64(prefix.purpose_key, substream);
    key_[0] = static_cast<std::uint32_t>(key);
    key_[1] = static_cast<std::uint32_t>(key >> 32);
    node_low_ = static_cast<std::uint32_t>(node);
    node_high_ = static_cast<std::uint32_t>(node >> 32);
  }

  std::uint32_t key_[2];
  std::uint32_t node_low_;
  std::uint32_t node_high_;
  std::uint64_t counter_ = 0;
  std::uint64_t buffer_[2] = {0, 0};
  std::uint32_t buffered_ = 0;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

namespace random_detail {

// The exponential ziggurat (Marsaglia and Tsang, "The ziggurat method for
// generating random variables", JSS 2000) with 256 layers of equal area under
// f(x) = exp(-x); the base layer holds the tail. Built once, in random.cpp.
struct ExponentialZiggurat {
  static constexpr int kLayers = 256;
  double x[kLayers + 1];  // layer right edges, x[0] = V / f(R) for the base strip, x[256] = 0
  double f[kLayers + 1];  // f(x[i])
  double ratio[kLayers];  // x[i + 1] / x[i]: below it a point is inside the next layer
  ExponentialZiggurat();
};

inline const ExponentialZiggurat& exponential_ziggurat() {
  static const ExponentialZiggurat tables;
  return tables;
}

}  // namespace random_detail

// Always inlined (a handful of call sites): the caller's stream then stays
// in registers instead of going through memory to a call.
[[gnu::always_inline]] inline double RandomStream::exponential(double mean) {
  // One 64-bit draw: the layer from the low 8 bits, the position from the
  // top 53; inside the layer's rectangle (98.9% of draws) that is the value.
  const random_detail::ExponentialZiggurat& z = random_detail::exponential_ziggurat();
  const std::uint64_t bits = next_u64();
  const int layer = static_cast<int>(bits & (random_detail::ExponentialZiggurat::kLayers - 1));
  const double u = static_cast<double>(bits >> 11) * 0x1.0p-53;
  if (u < z.ratio[layer]) [[likely]] return mean * (u * z.x[layer]);
  return on_copy<double>([&](RandomStream& stream) { return stream.exponential_after_first_try(mean, bits); });
}

// 32-bit words for bulk draws (one per coordinate of a vector, one per
// feature of a sample): Philox4x32-10 blocks at counters 0, 1, ... under a
// key taken from one 64-bit draw of `rng`, so any number of words costs the
// stream one draw and stays a pure function of it, without the per-draw
// bookkeeping of next_u64(). `domain` fills the upper half of every block's
// counter, so that different uses of a key never share words. Blocks are
// made sixteen at a time: they are independent, so the CPU overlaps their
// ten-round chains. Value type, about 300 bytes; one owner at a time.
class WordStream {
 public:
  WordStream(RandomStream& rng, std::uint64_t domain) {
    const std::uint64_t key = rng.next_u64();
    key_[0] = static_cast<std::uint32_t>(key);
    key_[1] = static_cast<std::uint32_t>(key >> 32);
    domain_[0] = static_cast<std::uint32_t>(domain);
    domain_[1] = static_cast<std::uint32_t>(domain >> 32);
  }
  std::uint32_t next() {
    if (position_ == kWords) refill();
    return buffer_[position_++];
  }
  // Uniform in (0, 1), from one word.
  double uniform_open() { return (static_cast<double>(next()) + 0.5) * 0x1.0p-32; }
  void fill(std::uint32_t* out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[i] = next();
  }

 private:
  static constexpr std::size_t kWords = 64;
  void refill() {
    for (std::size_t block = 0; block < kWords / 4; ++block, ++counter_) {
      const std::uint32_t counter[4] = {static_cast<std::uint32_t>(counter_), static_cast<std::uint32_t>(counter_ >> 32),
                                        domain_[0], domain_[1]};
      const PhiloxBlock words = philox4x32_10(counter, key_);
      for (int w = 0; w < 4; ++w) buffer_[4 * block + static_cast<std::size_t>(w)] = words.words[w];
    }
    position_ = 0;
  }

  std::uint32_t key_[2];
  std::uint32_t domain_[2];
  std::uint64_t counter_ = 0;
  std::uint32_t buffer_[kWords] = {};
  std::size_t position_ = kWords;
};

}  // namespace dlsim
