// The dense minibatch products in the order detail/float_row_products.hpp
// defines: AVX2 + FMA kernels, and portable loops that give the same bits.
// Compiled for the baseline; only the kernels are built for AVX2 and FMA,
// and they run only where the processor reports both.
#include "models/detail/float_row_products.hpp"

#include <cmath>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define DLSIM_FLOAT_ROW_KERNELS 1
#define DLSIM_AVX2_FMA __attribute__((target("avx2,fma")))
#endif

namespace dlsim::detail {
namespace {

const float* row_of(const float* data, std::size_t dim, std::uint32_t index) {
  return data + std::size_t{index} * dim;
}

}  // namespace

void portable_float_row_margins(const float* data, std::size_t dim, std::span<const std::uint32_t> batch,
                                const double* w, double* margins) {
  const std::size_t quads = dim & ~std::size_t{3};
  for (std::size_t j = 0; j < batch.size(); ++j) {
    const float* row = row_of(data, dim, batch[j]);
    double lanes[4] = {0.0, 0.0, 0.0, 0.0};
    for (std::size_t k = 0; k < quads; ++k) lanes[k % 4] = std::fma(static_cast<double>(row[k]), w[k], lanes[k % 4]);
    double margin = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for (std::size_t k = quads; k < dim; ++k) margin = std::fma(static_cast<double>(row[k]), w[k], margin);
    margins[j] = margin;
  }
}

void portable_float_row_add_weighted(const float* data, std::size_t dim, std::span<const std::uint32_t> batch,
                                     const double* coefficients, double* gradient) {
  for (std::size_t k = 0; k < dim; ++k) {
    double sum = 0.0;
    for (std::size_t j = 0; j < batch.size(); ++j)
      sum = std::fma(static_cast<double>(row_of(data, dim, batch[j])[k]), coefficients[j], sum);
    gradient[k] += sum;
  }
}

#if defined(DLSIM_FLOAT_ROW_KERNELS)

namespace {

// Four features of a row, widened.
DLSIM_AVX2_FMA inline __m256d four_features(const float* row) { return _mm256_cvtps_pd(_mm_loadu_ps(row)); }

// (lane 0 + lane 1) + (lane 2 + lane 3).
DLSIM_AVX2_FMA inline double lane_sum(__m256d lanes) {
  const __m128d low = _mm256_castpd256_pd128(lanes), high = _mm256_extractf128_pd(lanes, 1);
  const __m128d pairs = _mm_add_pd(_mm_unpacklo_pd(low, high), _mm_unpackhi_pd(low, high));
  return _mm_cvtsd_f64(_mm_add_sd(pairs, _mm_unpackhi_pd(pairs, pairs)));
}

// The features left over after the last multiple of four, in ascending order.
DLSIM_AVX2_FMA inline double add_leftover(const float* row, std::size_t quads, std::size_t dim, const double* w, double margin) {
  for (std::size_t k = quads; k < dim; ++k) margin = std::fma(static_cast<double>(row[k]), w[k], margin);
  return margin;
}

// Four rows at once: four independent chains of multiply-adds, and w read once for them.
DLSIM_AVX2_FMA void four_margins(const float* const* rows, std::size_t dim, const double* w, double* out) {
  const std::size_t quads = dim & ~std::size_t{3};
  __m256d sums[4];
#pragma GCC unroll 4
  for (int r = 0; r < 4; ++r) sums[r] = _mm256_setzero_pd();
  for (std::size_t k = 0; k < quads; k += 4) {
    const __m256d weights = _mm256_loadu_pd(w + k);
#pragma GCC unroll 4
    for (int r = 0; r < 4; ++r) sums[r] = _mm256_fmadd_pd(four_features(rows[r] + k), weights, sums[r]);
  }
  // Each row's (lane 0 + lane 1) + (lane 2 + lane 3), four rows per instruction.
  const __m256d first = _mm256_hadd_pd(sums[0], sums[1]), second = _mm256_hadd_pd(sums[2], sums[3]);
  double totals[4];
  _mm256_storeu_pd(totals, _mm256_add_pd(_mm256_permute2f128_pd(first, second, 0x20),
                                         _mm256_permute2f128_pd(first, second, 0x31)));
  for (int r = 0; r < 4; ++r) out[r] = add_leftover(rows[r], quads, dim, w, totals[r]);
}

DLSIM_AVX2_FMA double one_margin(const float* row, std::size_t dim, const double* w) {
  const std::size_t quads = dim & ~std::size_t{3};
  __m256d sum = _mm256_setzero_pd();
  for (std::size_t k = 0; k < quads; k += 4) sum = _mm256_fmadd_pd(four_features(row + k), _mm256_loadu_pd(w + k), sum);
  return add_leftover(row, quads, dim, w, lane_sum(sum));
}

// Features [k, k + 4 * Vectors) summed over the rows in order, then added to
// the gradient. Unrolled so that the sums stay in registers (GCC's -O2 would
// otherwise keep them on the stack, a store and a reload per multiply-add);
// twelve of them keep both of the core's multiply-add units busy.
template <int Vectors>
DLSIM_AVX2_FMA inline void add_features(const float* data, std::size_t dim, std::span<const std::uint32_t> batch,
                                        const double* coefficients, std::size_t k, double* gradient) {
  __m256d sums[Vectors];
#pragma GCC unroll 16
  for (int v = 0; v < Vectors; ++v) sums[v] = _mm256_setzero_pd();
  for (std::size_t j = 0; j < batch.size(); ++j) {
    const float* row = row_of(data, dim, batch[j]) + k;
    const __m256d coefficient = _mm256_set1_pd(coefficients[j]);
#pragma GCC unroll 16
    for (int v = 0; v < Vectors; ++v) sums[v] = _mm256_fmadd_pd(four_features(row + 4 * v), coefficient, sums[v]);
  }
#pragma GCC unroll 16
  for (int v = 0; v < Vectors; ++v)
    _mm256_storeu_pd(gradient + k + 4 * v, _mm256_add_pd(_mm256_loadu_pd(gradient + k + 4 * v), sums[v]));
}

// The last one to three features: two of them share a 128-bit sum (lane by
// lane the same multiply-adds) and the odd one runs alongside, so that the
// chains overlap.
DLSIM_AVX2_FMA void add_last_features(const float* data, std::size_t dim, std::span<const std::uint32_t> batch,
                                      const double* coefficients, std::size_t k, double* gradient) {
  const bool pair = k + 2 <= dim, single = (dim - k) % 2 == 1;
  const std::size_t last = dim - 1;
  __m128d pair_sum = _mm_setzero_pd();
  double single_sum = 0.0;
  for (std::size_t j = 0; j < batch.size(); ++j) {
    const float* row = row_of(data, dim, batch[j]);
    if (pair) {
      const __m128d features = _mm_cvtps_pd(_mm_castpd_ps(_mm_load_sd(reinterpret_cast<const double*>(row + k))));
      pair_sum = _mm_fmadd_pd(features, _mm_set1_pd(coefficients[j]), pair_sum);
    }
    if (single) single_sum = std::fma(static_cast<double>(row[last]), coefficients[j], single_sum);
  }
  if (pair) _mm_storeu_pd(gradient + k, _mm_add_pd(_mm_loadu_pd(gradient + k), pair_sum));
  if (single) gradient[last] += single_sum;
}

DLSIM_AVX2_FMA void kernel_margins(const float* data, std::size_t dim, std::span<const std::uint32_t> batch,
                                   const double* w, double* margins) {
  std::size_t j = 0;
  for (; j + 4 <= batch.size(); j += 4) {
    const float* rows[4];
    for (int r = 0; r < 4; ++r) rows[r] = row_of(data, dim, batch[j + r]);
    four_margins(rows, dim, w, margins + j);
  }
  for (; j < batch.size(); ++j) margins[j] = one_margin(row_of(data, dim, batch[j]), dim, w);
}

DLSIM_AVX2_FMA void kernel_add_weighted(const float* data, std::size_t dim, std::span<const std::uint32_t> batch,
                                        const double* coefficients, double* gradient) {
  std::size_t k = 0;
  for (; k + 48 <= dim; k += 48) add_features<12>(data, dim, batch, coefficients, k, gradient);
  for (; k + 16 <= dim; k += 16) add_features<4>(data, dim, batch, coefficients, k, gradient);
  for (; k + 4 <= dim; k += 4) add_features<1>(data, dim, batch, coefficients, k, gradient);
  if (k < dim) add_last_features(data, dim, batch, coefficients, k, gradient);
}

}  // namespace

bool float_row_kernels_available() {
  static const bool available = [] {
    __builtin_cpu_init();  // in case the first call comes from a static constructor
    return __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0;
  }();
  return available;
}

void float_row_margins(const float* data, std::size_t dim, std::span<const std::uint32_t> batch, const double* w,
                       double* margins) {
  if (float_row_kernels_available()) kernel_margins(data, dim, batch, w, margins);
  else portable_float_row_margins(data, dim, batch, w, margins);
}

void float_row_add_weighted(const float* data, std::size_t dim, std::span<const std::uint32_t> batch,
                            const double* coefficients, double* gradient) {
  if (float_row_kernels_available()) kernel_add_weighted(data, dim, batch, coefficients, gradient);
  else portable_float_row_add_weighted(data, dim, batch, coefficients, gradient);
}

#else

bool float_row_kernels_available() { return false; }

void float_row_margins(const float* data, std::size_t dim, std::span<const std::uint32_t> batch, const double* w,
                       double* margins) {
  portable_float_row_margins(data, dim, batch, w, margins);
}

void float_row_add_weighted(const float* data, std::size_t dim, std::span<const std::uint32_t> batch,
                            const double* coefficients, double* gradient) {
  portable_float_row_add_weighted(data, dim, batch, coefficients, gradient);
}

#endif

}  // namespace dlsim::detail
