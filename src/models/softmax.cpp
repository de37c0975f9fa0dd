// Softmax regression: logits = W A^T + b for a chunk in one product (dense), or
// column-by-column accumulation over non-zeros (sparse; W's column-major layout
// makes each feature's weights contiguous).
#include "models/softmax.hpp"

#include <fmt/format.h>

#include "models/detail/batch.hpp"
#include "models/detail/cross_entropy.hpp"

namespace dlsim {
namespace {

struct SoftmaxWorkspace final : ModelWorkspace {
  std::vector<double> rows;    // kChunk x features gathered samples
  std::vector<double> logits;  // classes x kChunk
};

}  // namespace

using detail::kChunk;

SoftmaxRegression::SoftmaxRegression(std::size_t features, std::size_t classes, double lambda)
    : features_(features), classes_(classes), lambda_(lambda) {
  if (features == 0 || classes < 2) throw std::invalid_argument("softmax: needs features >= 1 and classes >= 2");
  if (lambda < 0) throw std::invalid_argument("softmax: lambda must be >= 0");
}

std::string SoftmaxRegression::name() const {
  return fmt::format("softmax(d={}, classes={}, lambda={})", features_, classes_, lambda_);
}

std::unique_ptr<ModelWorkspace> SoftmaxRegression::make_workspace() const {
  return std::make_unique<SoftmaxWorkspace>();
}

double SoftmaxRegression::flops_per_sample(const Dataset& data) const {
  const double nnz = data.is_sparse() && data.size() ? double(data.values.size()) / data.size() : features_;
  return 4.0 * nnz * double(classes_) + 10.0 * double(classes_);
}

double SoftmaxRegression::evaluate(std::span<const double> x, const Dataset& data, Batch batch,
                                   double* gradient, std::size_t* correct,
                                   ModelWorkspace& workspace) const {
  detail::check_sizes("softmax", dimension(), x.size(), features_, data);
  detail::check_classes("softmax", classes_, data);
  auto& ws = static_cast<SoftmaxWorkspace&>(workspace);
  const auto c = static_cast<Eigen::Index>(classes_);
  const auto d = static_cast<Eigen::Index>(features_);
  const detail::ConstMatrixMap w(x.data(), c, d);
  const detail::ConstVectorMap b(x.data() + c * d, c);
  double total = 0.0;
  if (gradient) std::fill(gradient, gradient + dimension(), 0.0);
  detail::MatrixMap gw(gradient, gradient ? c : 0, gradient ? d : 0);
  detail::VectorMap gb(gradient ? gradient + c * d : nullptr, gradient ? c : 0);
  double* logit_buffer = detail::reserve(ws.logits, classes_ * kChunk);
  for (std::size_t start = 0; start < batch.size(); start += kChunk) {
    const auto chunk = batch.subspan(start, std::min(kChunk, batch.size() - start));
    const auto nb = static_cast<Eigen::Index>(chunk.size());
    detail::MatrixMap logits(logit_buffer, c, nb);
    if (data.is_sparse()) {
      for (Eigen::Index j = 0; j < nb; ++j) {
        logits.col(j) = b;
        auto cols = data.row_columns(chunk[j]);
        auto vals = data.row_values(chunk[j]);
        for (std::size_t k = 0; k < cols.size(); ++k) logits.col(j) += double(vals[k]) * w.col(cols[k]);
      }
    } else {
      detail::gather_rows(data, chunk, detail::reserve(ws.rows, kChunk * features_));
      const detail::ConstMatrixMap samples(ws.rows.data(), d, nb);  // one sample per column
      logits.noalias() = w * samples;
      logits.colwise() += b;
    }
    total += detail::softmax_cross_entropy(logits, chunk, data, correct);
    if (!gradient) continue;
    gb += logits.rowwise().sum();
    if (data.is_sparse()) {
      for (Eigen::Index j = 0; j < nb; ++j) {
        auto cols = data.row_columns(chunk[j]);
        auto vals = data.row_values(chunk[j]);
        for (std::size_t k = 0; k < cols.size(); ++k) gw.col(cols[k]) += double(vals[k]) * logits.col(j);
      }
    } else {
      const detail::ConstMatrixMap samples(ws.rows.data(), d, nb);
      gw.noalias() += logits * samples.transpose();
    }
  }
  const double scale = batch.empty() ? 0.0 : 1.0 / double(batch.size());
  if (gradient) {
    gw = scale * gw + lambda_ * w;
    gb *= scale;
  }
  return scale * total + 0.5 * lambda_ * w.squaredNorm();
}

double SoftmaxRegression::loss(std::span<const double> x, const Dataset& data, Batch batch,
                               ModelWorkspace& workspace) const {
  return evaluate(x, data, batch, nullptr, nullptr, workspace);
}

double SoftmaxRegression::loss_and_gradient(std::span<const double> x, const Dataset& data, Batch batch,
                                            std::span<double> gradient, ModelWorkspace& workspace) const {
  if (gradient.size() != dimension()) throw std::invalid_argument("softmax: gradient size mismatch");
  return evaluate(x, data, batch, gradient.data(), nullptr, workspace);
}

double SoftmaxRegression::accuracy(std::span<const double> x, const Dataset& data, Batch batch,
                                   ModelWorkspace& workspace) const {
  std::size_t correct = 0;
  evaluate(x, data, batch, nullptr, &correct, workspace);
  return batch.empty() ? std::numeric_limits<double>::quiet_NaN() : double(correct) / double(batch.size());
}

}  // namespace dlsim
