#include "robust/coordinate_wise.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>
#include <vector>

namespace dlsim {
namespace {

// Calls reduce(sorted column) for every coordinate and stores its result.
template <typename Reduce>
Eigen::VectorXd per_coordinate(std::span<const VectorView> inputs, std::size_t d, Reduce reduce) {
  Eigen::VectorXd out(Eigen::Index(d), 1);
  std::vector<double> column(inputs.size());
  for (std::size_t k = 0; k < d; ++k) {
    for (std::size_t i = 0; i < inputs.size(); ++i) column[i] = inputs[i][k];
    std::sort(column.begin(), column.end());
    out[Eigen::Index(k)] = reduce(column);
  }
  return out;
}

}  // namespace

void CoordinateMedian::check_inputs(std::size_t n) const {
  if (n == 0) throw std::invalid_argument("median: no inputs to aggregate");
}

Eigen::VectorXd CoordinateMedian::aggregate(std::span<const VectorView> inputs, const AggregationContext&) const {
  const std::size_t d = robust_detail::check_shape(name(), inputs);
  const std::size_t n = inputs.size();
  return per_coordinate(inputs, d, [n](const std::vector<double>& sorted) {
    return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  });
}

TrimmedMean::TrimmedMean(std::int64_t f, double beta) : f_(f), beta_(beta) {
  if (f < 0 && !(beta >= 0.0 && beta < 0.5))
    throw std::invalid_argument(fmt::format("trimmed-mean: parameter 'beta' must be in [0, 0.5), got {}", beta));
}

std::string TrimmedMean::name() const {
  return f_ >= 0 ? fmt::format("trimmed-mean(f={})", f_) : fmt::format("trimmed-mean(beta={})", beta_);
}

std::size_t TrimmedMean::trimmed(std::size_t n) const {
  return f_ >= 0 ? std::size_t(f_) : std::size_t(std::floor(beta_ * double(n)));
}

void TrimmedMean::check_inputs(std::size_t n) const {
  const std::size_t trim = trimmed(n);
  if (n <= 2 * trim)
    throw std::invalid_argument(fmt::format(
        "trimmed-mean: needs n > 2f (n = {}, f = {}): trimming f values on each side must leave at least one", n, trim));
}

Eigen::VectorXd TrimmedMean::aggregate(std::span<const VectorView> inputs, const AggregationContext&) const {
  const std::size_t d = robust_detail::check_shape("trimmed-mean", inputs);
  const std::size_t n = inputs.size();
  check_inputs(n);
  const std::size_t trim = trimmed(n);
  return per_coordinate(inputs, d, [n, trim](const std::vector<double>& sorted) {
    double sum = 0.0;
    for (std::size_t i = trim; i < n - trim; ++i) sum += sorted[i];
    return sum / double(n - 2 * trim);
  });
}

}  // namespace dlsim
