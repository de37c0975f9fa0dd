// Least squares: residuals and gradient as the two dense minibatch products of
// detail/float_row_products.hpp, or loops over the non-zeros of sparse rows.
#include "models/least_squares.hpp"

#include <fmt/format.h>

#include "models/detail/batch.hpp"
#include "models/detail/float_row_products.hpp"
#include "models/detail/linear_workspace.hpp"

namespace dlsim {

using detail::kChunk;

LeastSquares::LeastSquares(std::size_t features, double lambda) : features_(features), lambda_(lambda) {
  if (features == 0) throw std::invalid_argument("least-squares: needs at least one feature");
  if (lambda < 0) throw std::invalid_argument("least-squares: lambda must be >= 0");
}

std::string LeastSquares::name() const { return fmt::format("least-squares(d={}, lambda={})", features_, lambda_); }

std::unique_ptr<ModelWorkspace> LeastSquares::make_workspace() const {
  return std::make_unique<detail::LinearWorkspace>();
}

double LeastSquares::flops_per_sample(const Dataset& data) const {
  const double nnz = data.is_sparse() && data.size() ? double(data.values.size()) / data.size() : features_;
  return 4.0 * nnz + 4.0;
}

double LeastSquares::evaluate(std::span<const double> x, const Dataset& data, Batch batch,
                              double* gradient, ModelWorkspace& workspace) const {
  detail::check_sizes("least-squares", features_, x.size(), features_, data);
  auto& ws = static_cast<detail::LinearWorkspace&>(workspace);
  const detail::ConstVectorMap w(x.data(), features_);
  double total = 0.0;
  if (gradient) detail::VectorMap(gradient, features_).setZero();
  double* scratch = detail::reserve(ws.scalars, kChunk);
  for (std::size_t start = 0; start < batch.size(); start += kChunk) {
    const auto chunk = batch.subspan(start, std::min(kChunk, batch.size() - start));
    const auto nb = static_cast<Eigen::Index>(chunk.size());
    detail::VectorMap residuals(scratch, nb);
    if (data.is_sparse()) {
      for (Eigen::Index j = 0; j < nb; ++j) {
        auto cols = data.row_columns(chunk[j]);
        auto vals = data.row_values(chunk[j]);
        double m = 0.0;
        for (std::size_t k = 0; k < cols.size(); ++k) m += w[cols[k]] * vals[k];
        residuals[j] = m;
      }
    } else {
      detail::float_row_margins(data.dense.data(), features_, chunk, x.data(), scratch);
    }
    for (Eigen::Index j = 0; j < nb; ++j) residuals[j] -= data.targets[chunk[j]];
    total += 0.5 * residuals.squaredNorm();
    if (!gradient) continue;
    if (data.is_sparse()) {
      for (Eigen::Index j = 0; j < nb; ++j) {
        auto cols = data.row_columns(chunk[j]);
        auto vals = data.row_values(chunk[j]);
        for (std::size_t k = 0; k < cols.size(); ++k) gradient[cols[k]] += residuals[j] * vals[k];
      }
    } else {
      detail::float_row_add_weighted(data.dense.data(), features_, chunk, scratch, gradient);
    }
  }
  const double scale = batch.empty() ? 0.0 : 1.0 / double(batch.size());
  if (gradient) {
    detail::VectorMap g(gradient, features_);
    g = scale * g + lambda_ * w;
  }
  return scale * total + 0.5 * lambda_ * w.squaredNorm();
}

double LeastSquares::loss(std::span<const double> x, const Dataset& data, Batch batch,
                          ModelWorkspace& workspace) const {
  return evaluate(x, data, batch, nullptr, workspace);
}

double LeastSquares::loss_and_gradient(std::span<const double> x, const Dataset& data, Batch batch,
                                       std::span<double> gradient, ModelWorkspace& workspace) const {
  if (gradient.size() != features_) throw std::invalid_argument("least-squares: gradient size mismatch");
  return evaluate(x, data, batch, gradient.data(), workspace);
}

}  // namespace dlsim
