// Internal to src/models: gathering minibatch rows into Eigen-friendly buffers.
// Not included by any public header, so Eigen stays out of the model interface.
#pragma once

#include <Eigen/Core>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace dlsim::detail {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using VectorMap = Eigen::Map<Eigen::VectorXd>;
using ConstVectorMap = Eigen::Map<const Eigen::VectorXd>;
using MatrixMap = Eigen::Map<Eigen::MatrixXd>;
using ConstMatrixMap = Eigen::Map<const Eigen::MatrixXd>;

// Samples per chunk: large enough for efficient matrix products, small enough
// that a full-data-set evaluation needs only a chunk of scratch memory.
inline constexpr std::size_t kChunk = 256;

// Grows `buffer` to at least `size` values; allocates only when it grows.
inline double* reserve(std::vector<double>& buffer, std::size_t size) {
  if (buffer.size() < size) buffer.resize(size);
  return buffer.data();
}

// out[k] = in[k] for k < count: floats widened to doubles (exactly), four at a
// time where SSE2 is there (Eigen 3.4's cast does it one at a time).
inline void widen(const float* in, std::size_t count, double* out) {
  std::size_t k = 0;
#if defined(__SSE2__)
  for (; k + 4 <= count; k += 4) {
    const __m128 four = _mm_loadu_ps(in + k);
    _mm_storeu_pd(out + k, _mm_cvtps_pd(four));
    _mm_storeu_pd(out + k + 2, _mm_cvtps_pd(_mm_movehl_ps(four, four)));
  }
#endif
  for (; k < count; ++k) out[k] = in[k];
}

// Copies the rows `batch` of `data` (dense or sparse) as doubles into `out`,
// row-major batch.size() x data.dim (equivalently: column-major data.dim x
// batch.size(), one sample per column).
inline void gather_rows(const Dataset& data, std::span<const std::uint32_t> batch, double* out) {
  const std::size_t dim = data.dim;
  // The rows' loads are asked for about 16 KB ahead of the copy (see prefetch_rows).
  const std::size_t ahead = data.is_sparse() ? 0 : std::max<std::size_t>(1, (std::size_t{16} << 10) / (dim * sizeof(float)));
  prefetch_rows(data, batch);
  for (std::size_t j = 0; j < batch.size(); ++j) {
    if (ahead > 0 && j + ahead < batch.size()) prefetch_row(data, batch[j + ahead]);
    double* row_out = out + j * dim;
    if (data.is_sparse()) {
      std::fill(row_out, row_out + dim, 0.0);
      auto cols = data.row_columns(batch[j]);
      auto vals = data.row_values(batch[j]);
      for (std::size_t k = 0; k < cols.size(); ++k) row_out[cols[k]] = vals[k];
    } else {
      widen(data.dense.data() + std::size_t{batch[j]} * dim, dim, row_out);
    }
  }
}

inline void check_sizes(const std::string& model, std::size_t expected_params, std::size_t params,
                        std::size_t expected_dim, const Dataset& data) {
  if (params != expected_params)
    throw std::invalid_argument(model + ": parameter vector has " + std::to_string(params) +
                                " values, expected " + std::to_string(expected_params));
  if (expected_dim != data.dim && data.size() > 0)
    throw std::invalid_argument(model + ": data has " + std::to_string(data.dim) +
                                " features, model expects " + std::to_string(expected_dim));
}

// log(1 + exp(t)) without overflow.
inline double softplus(double t) { return t > 0 ? t + std::log1p(std::exp(-t)) : std::log1p(std::exp(t)); }
// 1 / (1 + exp(-t)) without overflow.
inline double sigmoid(double t) {
  if (t >= 0) return 1.0 / (1.0 + std::exp(-t));
  const double e = std::exp(t);
  return e / (1.0 + e);
}

}  // namespace dlsim::detail
