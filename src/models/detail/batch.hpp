// Internal to src/models: gathering minibatch rows into Eigen-friendly buffers.
// Not included by any public header, so Eigen stays out of the model interface.
#pragma once

#include <Eigen/Core>
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

// Copies the rows `batch` of `data` (dense or sparse) as doubles into `out`,
// row-major batch.size() x data.dim (equivalently: column-major data.dim x
// batch.size(), one sample per column).
inline void gather_rows(const Dataset& data, std::span<const std::uint32_t> batch, double* out) {
  const std::size_t dim = data.dim;
  for (std::size_t j = 0; j < batch.size(); ++j) {
    double* row_out = out + j * dim;
    if (data.is_sparse()) {
      std::fill(row_out, row_out + dim, 0.0);
      auto cols = data.row_columns(batch[j]);
      auto vals = data.row_values(batch[j]);
      for (std::size_t k = 0; k < cols.size(); ++k) row_out[cols[k]] = vals[k];
    } else {
      const float* row_in = data.dense.data() + std::size_t{batch[j]} * dim;
      for (std::size_t k = 0; k < dim; ++k) row_out[k] = row_in[k];
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
