// AVX2 kernels for dense minibatch products from float rows, in Eigen 3.4's
// SSE2 order (see detail/float_row_products.hpp for why and which order).
// Compiled for the baseline; only these functions are built for AVX2 and
// they run only where the processor reports it.
#include "models/detail/float_row_products.hpp"

#include <algorithm>
#include <stdexcept>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define DLSIM_FLOAT_ROW_KERNELS 1
#define DLSIM_AVX2 __attribute__((target("avx2")))
#endif

namespace dlsim::detail {

#if defined(DLSIM_FLOAT_ROW_KERNELS)

namespace {

// Rows of the gradient's blocks, as Eigen's column-major product chooses them
// for a chunk of `rows` rows with a stride of `dim` doubles.
std::size_t gradient_block_rows(std::size_t rows, std::size_t dim) {
  if (rows < 128) return rows;
  return dim * sizeof(double) < 32000 ? 16 : 4;
}

// Features k and k + 1 of two rows, widened: [a[k], a[k+1], b[k], b[k+1]].
DLSIM_AVX2 inline __m256d two_pairs(const float* a, const float* b, std::size_t k) {
  const __m128d low = _mm_load_sd(reinterpret_cast<const double*>(a + k));
  const __m128d both = _mm_loadh_pd(low, reinterpret_cast<const double*>(b + k));
  return _mm256_cvtps_pd(_mm_castpd_ps(both));
}

// Asks for the cache lines of one row of `dim` floats.
inline void prefetch_row(const float* row, std::size_t dim) {
  const char* begin = reinterpret_cast<const char*>(row);
  const std::size_t bytes = dim * sizeof(float);
  for (std::size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(begin + offset);
  __builtin_prefetch(begin + bytes - 1);  // a row that starts mid-line ends one line further
}

// Eigen's predux of a 2-double packet: lane 0 + lane 1.
DLSIM_AVX2 inline double low_half_sum(__m256d v) {
  const __m128d half = _mm256_castpd256_pd128(v);
  return _mm_cvtsd_f64(_mm_add_sd(half, _mm_unpackhi_pd(half, half)));
}
DLSIM_AVX2 inline double high_half_sum(__m256d v) {
  const __m128d half = _mm256_extractf128_pd(v, 1);
  return _mm_cvtsd_f64(_mm_add_sd(half, _mm_unpackhi_pd(half, half)));
}

// Two rows' margins: per row the even/odd partial sums, their sum, then the
// odd feature left over.
DLSIM_AVX2 void two_margins(const float* a, const float* b, std::size_t dim, const double* w, double* out) {
  const std::size_t pairs = dim & ~std::size_t{1};
  __m256d sum = _mm256_setzero_pd();
  for (std::size_t k = 0; k < pairs; k += 2) {
    const __m256d weights = _mm256_broadcast_pd(reinterpret_cast<const __m128d*>(w + k));
    sum = _mm256_add_pd(_mm256_mul_pd(two_pairs(a, b, k), weights), sum);
  }
  double first = low_half_sum(sum), second = high_half_sum(sum);
  if (pairs < dim) {
    first += static_cast<double>(a[pairs]) * w[pairs];
    second += static_cast<double>(b[pairs]) * w[pairs];
  }
  out[0] = first;
  out[1] = second;
}

// Four pairs of rows at once, for the independent chains the adds need.
DLSIM_AVX2 void eight_margins(const float* const* rows, std::size_t dim, const double* w, double* out) {
  const std::size_t pairs = dim & ~std::size_t{1};
  __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
  for (std::size_t k = 0; k < pairs; k += 2) {
    const __m256d weights = _mm256_broadcast_pd(reinterpret_cast<const __m128d*>(w + k));
    s0 = _mm256_add_pd(_mm256_mul_pd(two_pairs(rows[0], rows[1], k), weights), s0);
    s1 = _mm256_add_pd(_mm256_mul_pd(two_pairs(rows[2], rows[3], k), weights), s1);
    s2 = _mm256_add_pd(_mm256_mul_pd(two_pairs(rows[4], rows[5], k), weights), s2);
    s3 = _mm256_add_pd(_mm256_mul_pd(two_pairs(rows[6], rows[7], k), weights), s3);
  }
  double sums[8] = {low_half_sum(s0), high_half_sum(s0), low_half_sum(s1), high_half_sum(s1),
                    low_half_sum(s2), high_half_sum(s2), low_half_sum(s3), high_half_sum(s3)};
  if (pairs < dim)
    for (int r = 0; r < 8; ++r) sums[r] += static_cast<double>(rows[r][pairs]) * w[pairs];
  for (int r = 0; r < 8; ++r) out[r] = sums[r];
}

// Features [k, k + 4 * vectors) of one block of rows, summed over the block
// in row order from zero, then added to the gradient.
template <int Vectors>
DLSIM_AVX2 inline void add_block_features(const float* data, std::size_t dim, const std::uint32_t* rows,
                                          std::size_t count, const double* coefficients, std::size_t k,
                                          double* gradient) {
  // Unrolled so that the sums stay in registers (GCC's -O2 otherwise keeps
  // them on the stack, a store and a reload per multiply-add).
  __m256d sums[Vectors];
#pragma GCC unroll 4
  for (int v = 0; v < Vectors; ++v) sums[v] = _mm256_setzero_pd();
  for (std::size_t j = 0; j < count; ++j) {
    const float* row = data + std::size_t{rows[j]} * dim + k;
    const __m256d coefficient = _mm256_set1_pd(coefficients[j]);
#pragma GCC unroll 4
    for (int v = 0; v < Vectors; ++v)
      sums[v] = _mm256_add_pd(_mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(row + 4 * v)), coefficient), sums[v]);
  }
#pragma GCC unroll 4
  for (int v = 0; v < Vectors; ++v)
    _mm256_storeu_pd(gradient + k + 4 * v, _mm256_add_pd(_mm256_loadu_pd(gradient + k + 4 * v), sums[v]));
}

// The last one to three features, each summed on its own like Eigen's
// scalar tail; two of them share a 128-bit sum (lane by lane the same adds)
// and the odd one runs alongside, so that the chains of adds overlap.
DLSIM_AVX2 inline void add_block_tail(const float* data, std::size_t dim, const std::uint32_t* rows,
                                      std::size_t count, const double* coefficients, std::size_t k,
                                      double* gradient) {
  const bool pair = k + 2 <= dim, single = (dim - k) % 2 == 1;
  const std::size_t last = dim - 1;
  __m128d pair_sum = _mm_setzero_pd();
  double single_sum = 0.0;
  for (std::size_t j = 0; j < count; ++j) {
    const float* row = data + std::size_t{rows[j]} * dim;
    if (pair) {
      const __m128d features =
          _mm_cvtps_pd(_mm_castpd_ps(_mm_load_sd(reinterpret_cast<const double*>(row + k))));
      pair_sum = _mm_add_pd(_mm_mul_pd(features, _mm_set1_pd(coefficients[j])), pair_sum);
    }
    if (single) single_sum += static_cast<double>(row[last]) * coefficients[j];
  }
  if (pair) _mm_storeu_pd(gradient + k, _mm_add_pd(_mm_loadu_pd(gradient + k), pair_sum));
  if (single) gradient[last] += single_sum;
}

}  // namespace

bool float_row_kernels_available() {
  static const bool available = [] {
    __builtin_cpu_init();  // in case the first call comes from a static constructor
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return available;
}

DLSIM_AVX2 void float_row_margins(const float* data, std::size_t dim, std::span<const std::uint32_t> batch,
                                  const double* w, double* margins) {
  std::size_t j = 0;
  for (; j + 8 <= batch.size(); j += 8) {
    // The next eight rows' loads start now, under this group's arithmetic:
    // a node's rows are usually out of the core's caches.
    for (std::size_t ahead = j + 8; ahead < std::min(j + 16, batch.size()); ++ahead)
      prefetch_row(data + std::size_t{batch[ahead]} * dim, dim);
    const float* rows[8];
    for (int r = 0; r < 8; ++r) rows[r] = data + std::size_t{batch[j + r]} * dim;
    eight_margins(rows, dim, w, margins + j);
  }
  for (; j + 2 <= batch.size(); j += 2)
    two_margins(data + std::size_t{batch[j]} * dim, data + std::size_t{batch[j + 1]} * dim, dim, w, margins + j);
  if (j < batch.size()) {  // the last odd row paired with itself
    const float* row = data + std::size_t{batch[j]} * dim;
    double both[2];
    two_margins(row, row, dim, w, both);
    margins[j] = both[0];
  }
}

DLSIM_AVX2 void float_row_add_weighted(const float* data, std::size_t dim, std::span<const std::uint32_t> batch,
                                       const double* coefficients, double* gradient) {
  const std::size_t block = gradient_block_rows(batch.size(), dim);
  for (std::size_t start = 0; start < batch.size(); start += block) {
    const std::size_t count = std::min(block, batch.size() - start);
    const std::uint32_t* rows = batch.data() + start;
    const double* block_coefficients = coefficients + start;
    std::size_t k = 0;
    for (; k + 16 <= dim; k += 16) add_block_features<4>(data, dim, rows, count, block_coefficients, k, gradient);
    for (; k + 4 <= dim; k += 4) add_block_features<1>(data, dim, rows, count, block_coefficients, k, gradient);
    if (k < dim) add_block_tail(data, dim, rows, count, block_coefficients, k, gradient);
  }
}

#else

bool float_row_kernels_available() { return false; }

void float_row_margins(const float*, std::size_t, std::span<const std::uint32_t>, const double*, double*) {
  throw std::logic_error("float_row_margins: no AVX2 kernels in this build");
}
void float_row_add_weighted(const float*, std::size_t, std::span<const std::uint32_t>, const double*, double*) {
  throw std::logic_error("float_row_add_weighted: no AVX2 kernels in this build");
}

#endif

}  // namespace dlsim::detail
