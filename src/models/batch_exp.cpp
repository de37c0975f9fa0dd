// exp of many doubles in the sequence detail/batch_exp.hpp defines: an AVX2 +
// FMA kernel and a portable loop that give the same bits.
#include "models/detail/batch_exp.hpp"

#include <bit>
#include <cmath>
#include <cstdint>

#include "models/detail/float_row_products.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define DLSIM_BATCH_EXP_KERNEL 1
#define DLSIM_AVX2_FMA __attribute__((target("avx2,fma")))
#endif

namespace dlsim::detail {
namespace {

constexpr double kLowest = -746.0;  // exp(-746) < half the least subnormal: 0
constexpr double kHighest = 710.0;  // exp(710) > the largest double: infinity
constexpr double kInverseLn2 = 0x1.71547652b82fep0;
constexpr double kMinusLn2High = -0x1.62e42fefa39efp-1;
constexpr double kMinusLn2Low = -0x1.abc9e3b39803fp-56;
// Adding 1.5 * 2^52 rounds a double of magnitude below 2^51 to an integer.
constexpr double kRoundingShifter = 0x1.8p52;
// 2^52 + 1023: added to an integer n in [-1022, 1023], its low bits hold the biased exponent of 2^n.
constexpr double kExponentShifter = 0x1p52 + 1023.0;
// 1/j! for j = 13 down to 2 (the terms r and 1 are added last).
constexpr double kTaylor[] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
                              1.0 / 362880.0,     1.0 / 40320.0,     1.0 / 5040.0,     1.0 / 720.0,
                              1.0 / 120.0,        1.0 / 24.0,        1.0 / 6.0,        0.5};

// 2^n for an integer n in [-1022, 1023], given as a double.
double power_of_two(double n) { return std::bit_cast<double>(std::bit_cast<std::uint64_t>(n + kExponentShifter) << 52); }

double one_exp(double x) {
  x = kLowest > x ? kLowest : x;  // written so that NaN passes
  x = kHighest < x ? kHighest : x;
  const double k = std::fma(x, kInverseLn2, kRoundingShifter) - kRoundingShifter;
  double r = std::fma(k, kMinusLn2High, x);
  r = std::fma(k, kMinusLn2Low, r);
  double p = kTaylor[0];
  for (std::size_t j = 1; j < std::size(kTaylor); ++j) p = std::fma(p, r, kTaylor[j]);
  p = std::fma(p, r, 1.0);
  p = std::fma(p, r, 1.0);
  const double half = std::floor(k * 0.5);
  return (p * power_of_two(half)) * power_of_two(k - half);
}

#if defined(DLSIM_BATCH_EXP_KERNEL)

DLSIM_AVX2_FMA __m256d power_of_two(__m256d n) {
  const __m256i bits = _mm256_castpd_si256(_mm256_add_pd(n, _mm256_set1_pd(kExponentShifter)));
  return _mm256_castsi256_pd(_mm256_slli_epi64(bits, 52));
}

DLSIM_AVX2_FMA __m256d four_exps(__m256d x) {
  x = _mm256_max_pd(_mm256_set1_pd(kLowest), x);  // the second operand when either is NaN
  x = _mm256_min_pd(_mm256_set1_pd(kHighest), x);
  const __m256d shifter = _mm256_set1_pd(kRoundingShifter);
  const __m256d k = _mm256_sub_pd(_mm256_fmadd_pd(x, _mm256_set1_pd(kInverseLn2), shifter), shifter);
  __m256d r = _mm256_fmadd_pd(k, _mm256_set1_pd(kMinusLn2High), x);
  r = _mm256_fmadd_pd(k, _mm256_set1_pd(kMinusLn2Low), r);
  __m256d p = _mm256_set1_pd(kTaylor[0]);
#pragma GCC unroll 12
  for (std::size_t j = 1; j < std::size(kTaylor); ++j) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(kTaylor[j]));
  const __m256d one = _mm256_set1_pd(1.0);
  p = _mm256_fmadd_pd(p, r, one);
  p = _mm256_fmadd_pd(p, r, one);
  const __m256d half = _mm256_floor_pd(_mm256_mul_pd(k, _mm256_set1_pd(0.5)));
  return _mm256_mul_pd(_mm256_mul_pd(p, power_of_two(half)), power_of_two(_mm256_sub_pd(k, half)));
}

DLSIM_AVX2_FMA void kernel_batch_exp(std::span<double> values) {
  std::size_t j = 0;
  for (; j + 4 <= values.size(); j += 4)
    _mm256_storeu_pd(values.data() + j, four_exps(_mm256_loadu_pd(values.data() + j)));
  for (; j < values.size(); ++j) values[j] = one_exp(values[j]);
}

#endif

}  // namespace

void portable_batch_exp(std::span<double> values) {
  for (double& value : values) value = one_exp(value);
}

void batch_exp(std::span<double> values) {
#if defined(DLSIM_BATCH_EXP_KERNEL)
  if (float_row_kernels_available()) {
    kernel_batch_exp(values);
    return;
  }
#endif
  portable_batch_exp(values);
}

}  // namespace dlsim::detail
