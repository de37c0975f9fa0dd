#include "data/normalize.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace dlsim {

Normalization parse_normalization(std::string_view name) {
  if (name == "none") return Normalization::none;
  if (name == "min-max") return Normalization::min_max;
  if (name == "standardize") return Normalization::standardize;
  if (name == "unit-norm") return Normalization::unit_norm;
  throw std::invalid_argument("unknown normalization '" + std::string(name) +
                              "' (expected none, min-max, standardize or unit-norm)");
}

FeatureScaling fit_scaling(const Dataset& data, Normalization kind) {
  if (kind != Normalization::min_max && kind != Normalization::standardize)
    throw std::invalid_argument("fit_scaling: needs min-max or standardize");
  const std::size_t d = data.dim, n = data.size();
  FeatureScaling s{std::vector<double>(d, 0.0), std::vector<double>(d, 1.0)};
  // Per-feature statistics in one pass: min, max, sum, sum of squares (zeros of
  // a sparse row included through the counts).
  std::vector<double> low(d, INFINITY), high(d, -INFINITY), sum(d, 0.0), sum2(d, 0.0);
  std::vector<std::size_t> stored(d, 0);
  auto visit = [&](std::size_t k, double v) {
    low[k] = std::min(low[k], v);
    high[k] = std::max(high[k], v);
    sum[k] += v;
    sum2[k] += v * v;
    ++stored[k];
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (data.is_sparse()) {
      auto cols = data.row_columns(i);
      auto vals = data.row_values(i);
      for (std::size_t j = 0; j < cols.size(); ++j) visit(cols[j], vals[j]);
    } else {
      for (std::size_t k = 0; k < d; ++k) visit(k, data.dense[i * d + k]);
    }
  }
  for (std::size_t k = 0; k < d; ++k) {
    if (stored[k] < n) low[k] = std::min(low[k], 0.0), high[k] = std::max(high[k], 0.0);
    if (n == 0) continue;
    const double mean = sum[k] / double(n);
    const double stddev = std::sqrt(std::max(0.0, sum2[k] / double(n) - mean * mean));
    if (kind == Normalization::min_max) {
      const double range = data.is_sparse() ? std::max(std::abs(low[k]), std::abs(high[k])) : high[k] - low[k];
      s.offset[k] = data.is_sparse() ? 0.0 : low[k];
      s.scale[k] = range > 0 ? 1.0 / range : 1.0;
    } else {
      s.offset[k] = data.is_sparse() ? 0.0 : mean;
      s.scale[k] = stddev > 0 ? 1.0 / stddev : 1.0;
    }
  }
  return s;
}

void apply_scaling(Dataset& data, const FeatureScaling& s) {
  if (s.scale.size() != data.dim) throw std::invalid_argument("apply_scaling: dimension mismatch");
  if (data.is_sparse()) {
    for (std::size_t j = 0; j < data.values.size(); ++j)
      data.values[j] = float((data.values[j] - s.offset[data.columns[j]]) * s.scale[data.columns[j]]);
    return;
  }
  for (std::size_t i = 0; i < data.size(); ++i)
    for (std::size_t k = 0; k < data.dim; ++k) {
      float& v = data.dense[i * data.dim + k];
      v = float((v - s.offset[k]) * s.scale[k]);
    }
}

void normalize_rows(Dataset& data) {
  for (std::size_t i = 0; i < data.size(); ++i) {
    float* begin = data.is_sparse() ? data.values.data() + data.row_offsets[i] : data.dense.data() + i * data.dim;
    float* end = data.is_sparse() ? data.values.data() + data.row_offsets[i + 1] : begin + data.dim;
    double norm2 = 0.0;
    for (float* p = begin; p != end; ++p) norm2 += double(*p) * *p;
    if (norm2 == 0.0) continue;
    const double inverse = 1.0 / std::sqrt(norm2);
    for (float* p = begin; p != end; ++p) *p = float(*p * inverse);
  }
}

void normalize(Dataset& data, Normalization kind) {
  if (kind == Normalization::none) return;
  if (kind == Normalization::unit_norm) return normalize_rows(data);
  apply_scaling(data, fit_scaling(data, kind));
}

}  // namespace dlsim
