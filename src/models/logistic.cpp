// Logistic regression: margins and gradient as the two dense minibatch
// products of detail/float_row_products.hpp, or loops over the non-zeros of
// sparse rows.
#include "models/logistic.hpp"

#include <fmt/format.h>

#include <cmath>

#include "models/detail/batch.hpp"
#include "models/detail/batch_exp.hpp"
#include "models/detail/float_row_products.hpp"
#include "models/detail/linear_workspace.hpp"

namespace dlsim {

using detail::kChunk;

LogisticRegression::LogisticRegression(std::size_t features, double lambda)
    : features_(features), lambda_(lambda) {
  if (features == 0) throw std::invalid_argument("logistic: needs at least one feature");
  if (lambda < 0) throw std::invalid_argument("logistic: lambda must be >= 0");
}

std::string LogisticRegression::name() const { return fmt::format("logistic(d={}, lambda={})", features_, lambda_); }

std::unique_ptr<ModelWorkspace> LogisticRegression::make_workspace() const {
  return std::make_unique<detail::LinearWorkspace>();
}

double LogisticRegression::flops_per_sample(const Dataset& data) const {
  const double nnz = data.is_sparse() && data.size() ? double(data.values.size()) / data.size() : features_;
  return 4.0 * nnz + 20.0;
}

double LogisticRegression::evaluate(std::span<const double> x, const Dataset& data, Batch batch,
                                    double* gradient, std::size_t* correct,
                                    ModelWorkspace& workspace, bool want_loss) const {
  detail::check_sizes("logistic", features_, x.size(), features_, data);
  auto& ws = static_cast<detail::LinearWorkspace&>(workspace);
  const detail::ConstVectorMap w(x.data(), features_);
  double total = 0.0;
  if (gradient) detail::VectorMap(gradient, features_).setZero();
  double* coef = detail::reserve(ws.scalars, 2 * kChunk);
  double* exps = coef + kChunk;
  for (std::size_t start = 0; start < batch.size(); start += kChunk) {
    const auto chunk = batch.subspan(start, std::min(kChunk, batch.size() - start));
    const auto nb = static_cast<Eigen::Index>(chunk.size());
    detail::VectorMap margins(coef, nb);
    if (data.is_sparse()) {
      for (Eigen::Index j = 0; j < nb; ++j) {
        auto cols = data.row_columns(chunk[j]);
        auto vals = data.row_values(chunk[j]);
        double m = 0.0;
        for (std::size_t k = 0; k < cols.size(); ++k) m += w[cols[k]] * vals[k];
        margins[j] = m;
      }
    } else {
      detail::float_row_margins(data.dense.data(), features_, chunk, x.data(), coef);
    }
    // The loss is softplus(t) and its derivative sigmoid(t) at t = -y margin;
    // both need exp(-|t|), computed once per sample, for the whole chunk at
    // once (detail/batch_exp.hpp), and no logarithm when the loss is not wanted.
    for (Eigen::Index j = 0; j < nb; ++j) {
      const double y = data.targets[chunk[j]];
      if (correct) *correct += (margins[j] >= 0.0 ? 1.0 : -1.0) == y;
      const double t = -(y * margins[j]);
      margins[j] = t;
      exps[j] = -std::fabs(t);
    }
    detail::batch_exp(std::span<double>(exps, chunk.size()));
    if (want_loss)
      for (Eigen::Index j = 0; j < nb; ++j) total += margins[j] > 0 ? margins[j] + std::log1p(exps[j]) : std::log1p(exps[j]);
    // d loss_j / d margin_j = -y sigmoid(t): 1 / (1 + e) for t >= 0, e / (1 + e)
    // below; the numerator chosen without a branch on the sample's sign.
    for (Eigen::Index j = 0; j < nb; ++j) {
      const double y = data.targets[chunk[j]];
      const double t = margins[j], e = exps[j];
      const double numerator = t >= 0 ? 1.0 : e;
      margins[j] = -y * (numerator / (1.0 + e));
    }
    if (!gradient) continue;
    if (data.is_sparse()) {
      for (Eigen::Index j = 0; j < nb; ++j) {
        auto cols = data.row_columns(chunk[j]);
        auto vals = data.row_values(chunk[j]);
        for (std::size_t k = 0; k < cols.size(); ++k) gradient[cols[k]] += margins[j] * vals[k];
      }
    } else {
      detail::float_row_add_weighted(data.dense.data(), features_, chunk, coef, gradient);
    }
  }
  const double scale = batch.empty() ? 0.0 : 1.0 / double(batch.size());
  if (gradient) {
    detail::VectorMap g(gradient, features_);
    g = scale * g + lambda_ * w;
  }
  return want_loss ? scale * total + 0.5 * lambda_ * w.squaredNorm() : 0.0;
}

double LogisticRegression::loss(std::span<const double> x, const Dataset& data, Batch batch,
                                ModelWorkspace& workspace) const {
  return evaluate(x, data, batch, nullptr, nullptr, workspace);
}

double LogisticRegression::loss_and_gradient(std::span<const double> x, const Dataset& data,
                                             Batch batch, std::span<double> gradient,
                                             ModelWorkspace& workspace) const {
  if (gradient.size() != features_) throw std::invalid_argument("logistic: gradient size mismatch");
  return evaluate(x, data, batch, gradient.data(), nullptr, workspace);
}

void LogisticRegression::gradient(std::span<const double> x, const Dataset& data, Batch batch,
                                  std::span<double> gradient, ModelWorkspace& workspace) const {
  if (gradient.size() != features_) throw std::invalid_argument("logistic: gradient size mismatch");
  evaluate(x, data, batch, gradient.data(), nullptr, workspace, false);
}

double LogisticRegression::accuracy(std::span<const double> x, const Dataset& data, Batch batch,
                                    ModelWorkspace& workspace) const {
  std::size_t correct = 0;
  evaluate(x, data, batch, nullptr, &correct, workspace);
  return batch.empty() ? std::numeric_limits<double>::quiet_NaN() : double(correct) / double(batch.size());
}

}  // namespace dlsim
