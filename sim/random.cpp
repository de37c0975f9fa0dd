// Philox4x32-10 and the distributions drawn from it.
#include "sim/random.hpp"

#include <cmath>
#include <numbers>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define DLSIM_PHILOX_AVX2 1
#endif

namespace dlsim {

namespace {

// Eight consecutive blocks of one stream: counters first .. first + 7, the
// node in the counter's upper words, as sixteen next_u64() words in order.
void eight_blocks_one_at_a_time(std::uint64_t first, std::uint32_t node_low, std::uint32_t node_high,
                                const std::uint32_t key[2], std::uint64_t* words) {
  for (std::uint64_t block = 0; block < 8; ++block) {
    const std::uint64_t at = first + block;
    const std::uint32_t counter[4] = {static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(at >> 32), node_low,
                                      node_high};
    const PhiloxBlock made = philox4x32_10(counter, key);
    words[2 * block] = (std::uint64_t{made.words[1]} << 32) | made.words[0];
    words[2 * block + 1] = (std::uint64_t{made.words[3]} << 32) | made.words[2];
  }
}

#if defined(DLSIM_PHILOX_AVX2)
// The same eight blocks with block b in lane b of four vectors (one per
// counter word): Philox's 32 x 32 -> 64-bit products, even and odd lanes
// apart, for all eight at once. Integer arithmetic: the same bits.
__attribute__((target("avx2"))) void eight_blocks_at_once(std::uint64_t first, std::uint32_t node_low,
                                                          std::uint32_t node_high, const std::uint32_t key[2],
                                                          std::uint64_t* words) {
  alignas(32) std::uint32_t low[8], high[8];
  for (int block = 0; block < 8; ++block) {
    const std::uint64_t at = first + static_cast<std::uint64_t>(block);
    low[block] = static_cast<std::uint32_t>(at);
    high[block] = static_cast<std::uint32_t>(at >> 32);
  }
  __m256i c0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(low));
  __m256i c1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(high));
  __m256i c2 = _mm256_set1_epi32(static_cast<int>(node_low));
  __m256i c3 = _mm256_set1_epi32(static_cast<int>(node_high));
  const __m256i multiplier0 = _mm256_set1_epi32(static_cast<int>(kPhiloxMultiplier0));
  const __m256i multiplier1 = _mm256_set1_epi32(static_cast<int>(kPhiloxMultiplier1));
  // The low and high words of the lanes' products with m.
  const auto multiply = [](__m256i lanes, __m256i m, __m256i& product_low, __m256i& product_high)
                            __attribute__((target("avx2"))) {
    const __m256i even = _mm256_mul_epu32(lanes, m);
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(lanes, 32), m);
    product_low = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    product_high = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
  };
  std::uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; ++round, k0 += kPhiloxWeyl0, k1 += kPhiloxWeyl1) {
    __m256i low0, high0, low1, high1;
    multiply(c0, multiplier0, low0, high0);
    multiply(c2, multiplier1, low1, high1);
    c0 = _mm256_xor_si256(_mm256_xor_si256(high1, c1), _mm256_set1_epi32(static_cast<int>(k0)));
    c2 = _mm256_xor_si256(_mm256_xor_si256(high0, c3), _mm256_set1_epi32(static_cast<int>(k1)));
    c1 = low1;
    c3 = low0;
  }
  alignas(32) std::uint32_t out[4][8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(out[0]), c0);
  _mm256_store_si256(reinterpret_cast<__m256i*>(out[1]), c1);
  _mm256_store_si256(reinterpret_cast<__m256i*>(out[2]), c2);
  _mm256_store_si256(reinterpret_cast<__m256i*>(out[3]), c3);
  for (int block = 0; block < 8; ++block) {
    words[2 * block] = (std::uint64_t{out[1][block]} << 32) | out[0][block];
    words[2 * block + 1] = (std::uint64_t{out[3][block]} << 32) | out[2][block];
  }
}

bool have_avx2() {
  static const bool available = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return available;
}
#endif

}  // namespace

void RandomStream::make_group(std::uint64_t (&words)[kGroupWords]) {
  static_assert(kGroupWords == 16, "two words a block, eight blocks");
#if defined(DLSIM_PHILOX_AVX2)
  if (have_avx2()) {
    eight_blocks_at_once(counter_, node_low_, node_high_, key_, words);
    counter_ += 8;
    return;
  }
#endif
  eight_blocks_one_at_a_time(counter_, node_low_, node_high_, key_, words);
  counter_ += 8;
}

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
