// Internal to src/models: the two products of a dense minibatch, computed
// straight from the data set's float rows with AVX2 where the processor has
// it, bit for bit as gathering the rows as doubles and multiplying them with
// Eigen 3.4's SSE2 kernels does (the path every other machine takes).
//
// Why: on a minibatch of 32 x 50, widening the rows into a double buffer and
// two Eigen matrix-vector products were about half of a D-PSGD node-round
// (issue 15); 256-bit vectors do both products with half the instructions
// and no buffer. Why the same bits: results must not depend on the machine a
// scenario runs on, so the vectors only regroup Eigen's additions, never
// reorder them:
//   margins    Eigen's row-major product keeps two partial sums per row (even
//              and odd features, one 2-double packet), adds them, then the
//              odd feature left over: here two rows share a 256-bit vector,
//              each in its own 128-bit half.
//   gradient   Eigen's column-major product sums every feature over the rows
//              in order, in blocks of rows (all of them below 128 rows, else
//              16, or 4 for 4,000 features or more), each block's sum added
//              to the output: here four features per vector, in the same
//              blocks. No fused multiply-add anywhere (it would round once
//              instead of twice).
// Eigen takes other routes for one row or one feature (a dot product), so
// the callers keep Eigen there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "data/dataset.hpp"

namespace dlsim::detail {

// Whether this processor runs the AVX2 kernels (checked once).
bool float_row_kernels_available();

// Whether a chunk of `rows` rows of `data` takes the kernels: dense data,
// at least two rows and two features, and a processor with AVX2.
inline bool use_float_row_kernels(const Dataset& data, std::size_t rows) {
  return !data.is_sparse() && rows >= 2 && data.dim >= 2 && float_row_kernels_available();
}

// margins[j] = <row batch[j] of data, w> for every j. Requires the kernels,
// batch.size() >= 2 and dim >= 2; data is row-major, dim floats per row.
void float_row_margins(const float* data, std::size_t dim, std::span<const std::uint32_t> batch, const double* w,
                       double* margins);

// gradient[k] += sum_j coefficients[j] * (row batch[j] of data)[k] for every
// feature k, summed as Eigen's column-major product sums a chunk. Same
// requirements.
void float_row_add_weighted(const float* data, std::size_t dim, std::span<const std::uint32_t> batch,
                            const double* coefficients, double* gradient);

}  // namespace dlsim::detail
