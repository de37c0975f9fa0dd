// Internal to src/models: the two products of a dense minibatch, computed
// straight from the data set's float rows, in one fixed order of fused
// multiply-adds that an AVX2 kernel and a portable one both follow, bit for
// bit.
//
// Why: on a minibatch of 32 x 50, widening the rows into a double buffer and
// two Eigen matrix-vector products were about half of a D-PSGD node-round
// (issue 15). 256-bit vectors with fused multiply-adds do both products with
// a third of those instructions and no buffer. Why one fixed order: results
// must not depend on the machine a scenario runs on, so the order is defined
// here, and a machine without AVX2 and FMA runs the portable loops below
// (std::fma, exact everywhere) to the same bits, only slower:
//   margins    margin_j = (s_0 + s_1) + (s_2 + s_3), where s_l sums, from
//              zero and in ascending k, fma(x_jk, w_k, s_l) over the features
//              k = l mod 4 below the last multiple of four; then the 0-3
//              features left over, in ascending k: margin_j = fma(x_jk, w_k,
//              margin_j). A float widens to a double exactly.
//   gradient   g_k += s_k, where s_k sums fma(x_jk, c_j, s_k) from zero over
//              the rows j in batch order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace dlsim::detail {

// Whether this processor runs the AVX2 + FMA kernels (checked once); the
// portable loops run otherwise, to the same bits.
bool float_row_kernels_available();

// margins[j] = <row batch[j] of data, w> for every j, in the order above.
// data is row-major, dim floats per row.
void float_row_margins(const float* data, std::size_t dim, std::span<const std::uint32_t> batch, const double* w,
                       double* margins);

// gradient[k] += sum_j coefficients[j] * (row batch[j] of data)[k] for every
// feature k, in the order above.
void float_row_add_weighted(const float* data, std::size_t dim, std::span<const std::uint32_t> batch,
                            const double* coefficients, double* gradient);

// The portable loops, whichever processor this is (for the tests).
void portable_float_row_margins(const float* data, std::size_t dim, std::span<const std::uint32_t> batch,
                                const double* w, double* margins);
void portable_float_row_add_weighted(const float* data, std::size_t dim, std::span<const std::uint32_t> batch,
                                     const double* coefficients, double* gradient);

}  // namespace dlsim::detail
