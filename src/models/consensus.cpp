// Average consensus: per-row loops, no gathering (one pass over each row).
#include "models/consensus.hpp"

#include <fmt/format.h>

#include "models/detail/batch.hpp"
#include "models/detail/linear_workspace.hpp"

namespace dlsim {

AverageConsensus::AverageConsensus(std::size_t features) : features_(features) {
  if (features == 0) throw std::invalid_argument("consensus: needs at least one feature");
}

std::string AverageConsensus::name() const { return fmt::format("consensus(d={})", features_); }

std::unique_ptr<ModelWorkspace> AverageConsensus::make_workspace() const {
  return std::make_unique<detail::LinearWorkspace>();
}

double AverageConsensus::flops_per_sample(const Dataset&) const { return 4.0 * double(features_); }

double AverageConsensus::evaluate(std::span<const double> x, const Dataset& data, Batch batch,
                                  double* gradient) const {
  detail::check_sizes("consensus", features_, x.size(), features_, data);
  const detail::ConstVectorMap xv(x.data(), features_);
  const double x_norm2 = xv.squaredNorm();
  double total = 0.0;
  // The gradient is x - mean(a_j): accumulate the sum of rows, then finish.
  if (gradient) std::fill(gradient, gradient + features_, 0.0);
  for (std::uint32_t i : batch) {
    if (data.is_sparse()) {
      // ||x - a||^2 = ||x||^2 - 2 <x, a> + ||a||^2 touches only a's non-zeros.
      auto cols = data.row_columns(i);
      auto vals = data.row_values(i);
      double dot = 0.0, a_norm2 = 0.0;
      for (std::size_t k = 0; k < cols.size(); ++k) {
        dot += x[cols[k]] * vals[k];
        a_norm2 += double(vals[k]) * vals[k];
        if (gradient) gradient[cols[k]] += vals[k];
      }
      total += 0.5 * (x_norm2 - 2.0 * dot + a_norm2);
    } else {
      const float* a = data.dense.data() + std::size_t{i} * features_;
      double sum = 0.0;
      for (std::size_t k = 0; k < features_; ++k) {
        const double diff = x[k] - a[k];
        sum += diff * diff;
        if (gradient) gradient[k] += a[k];
      }
      total += 0.5 * sum;
    }
  }
  if (batch.empty()) return 0.0;
  const double scale = 1.0 / double(batch.size());
  if (gradient)
    for (std::size_t k = 0; k < features_; ++k) gradient[k] = x[k] - scale * gradient[k];
  return scale * total;
}

double AverageConsensus::loss(std::span<const double> x, const Dataset& data, Batch batch,
                              ModelWorkspace&) const {
  return evaluate(x, data, batch, nullptr);
}

double AverageConsensus::loss_and_gradient(std::span<const double> x, const Dataset& data, Batch batch,
                                           std::span<double> gradient, ModelWorkspace&) const {
  if (gradient.size() != features_) throw std::invalid_argument("consensus: gradient size mismatch");
  return evaluate(x, data, batch, gradient.data());
}

}  // namespace dlsim
