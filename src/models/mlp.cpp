// MLP forward and backward passes with one sample per column, so every layer is
// one matrix product per chunk and the backward pass reuses the stored activations.
#include "models/mlp.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "models/detail/batch.hpp"
#include "models/detail/cross_entropy.hpp"
#include "sim/random.hpp"

namespace dlsim {
namespace {

struct MlpWorkspace final : ModelWorkspace {
  std::vector<double> input;                     // inputs x kChunk
  std::vector<std::vector<double>> activations;  // per layer: outputs x kChunk (H_l, logits last)
  std::vector<double> delta, delta_previous;     // widest layer x kChunk
};

}  // namespace

using detail::kChunk;

Mlp::Mlp(std::vector<std::size_t> layers, double weight_decay)
    : layers_(std::move(layers)), weight_decay_(weight_decay) {
  if (layers_.size() < 2) throw std::invalid_argument("mlp: needs at least an input and an output size");
  for (std::size_t width : layers_)
    if (width == 0) throw std::invalid_argument("mlp: layer sizes must be positive");
  if (layers_.back() < 2) throw std::invalid_argument("mlp: needs at least 2 classes");
  if (weight_decay < 0) throw std::invalid_argument("mlp: weight_decay must be >= 0");
  for (std::size_t l = 1; l < layers_.size(); ++l) {
    offsets_.push_back(dimension_);
    dimension_ += layers_[l] * (layers_[l - 1] + 1);
  }
}

std::string Mlp::name() const { return fmt::format("mlp({})", fmt::join(layers_, "-")); }

std::unique_ptr<ModelWorkspace> Mlp::make_workspace() const { return std::make_unique<MlpWorkspace>(); }

double Mlp::flops_per_sample(const Dataset&) const {
  double flops = 0.0;
  for (std::size_t l = 1; l < layers_.size(); ++l) flops += 6.0 * double(layers_[l]) * double(layers_[l - 1]);
  return flops;
}

void Mlp::initialize(std::span<double> x, RandomStream& rng) const {
  if (x.size() != dimension_) throw std::invalid_argument("mlp: parameter size mismatch");
  for (std::size_t l = 1; l < layers_.size(); ++l) {
    const double stddev = std::sqrt(2.0 / double(layers_[l - 1]));
    const std::size_t weights = layers_[l] * layers_[l - 1];
    double* w = x.data() + offsets_[l - 1];
    for (std::size_t k = 0; k < weights; ++k) w[k] = stddev * rng.normal();
    std::fill(w + weights, w + weights + layers_[l], 0.0);
  }
}

double Mlp::evaluate(std::span<const double> x, const Dataset& data, Batch batch, double* gradient,
                     std::size_t* correct, ModelWorkspace& workspace) const {
  detail::check_sizes("mlp", dimension_, x.size(), layers_.front(), data);
  detail::check_classes("mlp", layers_.back(), data);
  auto& ws = static_cast<MlpWorkspace&>(workspace);
  const std::size_t depth = layers_.size() - 1;
  if (ws.activations.size() != depth) ws.activations.resize(depth);
  std::size_t widest = 0;
  for (std::size_t l = 1; l < layers_.size(); ++l) widest = std::max(widest, layers_[l]);
  detail::reserve(ws.input, layers_[0] * kChunk);
  for (std::size_t l = 0; l < depth; ++l) detail::reserve(ws.activations[l], layers_[l + 1] * kChunk);
  if (gradient) {
    detail::reserve(ws.delta, widest * kChunk);
    detail::reserve(ws.delta_previous, widest * kChunk);
    std::fill(gradient, gradient + dimension_, 0.0);
  }
  auto weights = [&](const double* base, std::size_t l) {  // W_l of layer l (1-based)
    return detail::ConstMatrixMap(base + offsets_[l - 1], Eigen::Index(layers_[l]), Eigen::Index(layers_[l - 1]));
  };
  auto bias = [&](const double* base, std::size_t l) {
    return detail::ConstVectorMap(base + offsets_[l - 1] + layers_[l] * layers_[l - 1], Eigen::Index(layers_[l]));
  };

  double total = 0.0;
  for (std::size_t start = 0; start < batch.size(); start += kChunk) {
    const auto chunk = batch.subspan(start, std::min(kChunk, batch.size() - start));
    const auto nb = static_cast<Eigen::Index>(chunk.size());
    detail::gather_rows(data, chunk, ws.input.data());
    auto layer_input = [&](std::size_t l) {  // H_{l-1}: the input of layer l (1-based)
      const double* p = l == 1 ? ws.input.data() : ws.activations[l - 2].data();
      return detail::ConstMatrixMap(p, Eigen::Index(layers_[l - 1]), nb);
    };
    for (std::size_t l = 1; l <= depth; ++l) {
      detail::MatrixMap z(ws.activations[l - 1].data(), Eigen::Index(layers_[l]), nb);
      z.noalias() = weights(x.data(), l) * layer_input(l);
      z.colwise() += bias(x.data(), l);
      if (l < depth) z = z.cwiseMax(0.0);
    }
    detail::MatrixMap logits(ws.activations[depth - 1].data(), Eigen::Index(layers_.back()), nb);
    total += detail::softmax_cross_entropy(logits, chunk, data, correct);
    if (!gradient) continue;
    // Backward: delta_l = dLoss/dZ_l; gW_l += delta_l H_{l-1}^T; delta_{l-1} = (W_l^T delta_l) .* [H_{l-1} > 0].
    double* delta = ws.delta.data();
    double* previous = ws.delta_previous.data();
    detail::MatrixMap(delta, logits.rows(), nb) = logits;
    for (std::size_t l = depth; l >= 1; --l) {
      const detail::MatrixMap dl(delta, Eigen::Index(layers_[l]), nb);
      detail::MatrixMap gw(gradient + offsets_[l - 1], Eigen::Index(layers_[l]), Eigen::Index(layers_[l - 1]));
      detail::VectorMap gb(gradient + offsets_[l - 1] + layers_[l] * layers_[l - 1], Eigen::Index(layers_[l]));
      gw.noalias() += dl * layer_input(l).transpose();
      gb += dl.rowwise().sum();
      if (l == 1) break;
      detail::MatrixMap dp(previous, Eigen::Index(layers_[l - 1]), nb);
      dp.noalias() = weights(x.data(), l).transpose() * dl;
      dp.array() *= (layer_input(l).array() > 0.0).cast<double>();
      std::swap(delta, previous);
    }
  }
  const double scale = batch.empty() ? 0.0 : 1.0 / double(batch.size());
  double penalty = 0.0;
  for (std::size_t l = 1; l <= depth; ++l) {
    const auto w = weights(x.data(), l);
    penalty += w.squaredNorm();
    if (gradient) {
      detail::MatrixMap gw(gradient + offsets_[l - 1], w.rows(), w.cols());
      detail::VectorMap gb(gradient + offsets_[l - 1] + w.size(), w.rows());
      gw = scale * gw + weight_decay_ * w;
      gb *= scale;
    }
  }
  return scale * total + 0.5 * weight_decay_ * penalty;
}

double Mlp::loss(std::span<const double> x, const Dataset& data, Batch batch, ModelWorkspace& workspace) const {
  return evaluate(x, data, batch, nullptr, nullptr, workspace);
}

double Mlp::loss_and_gradient(std::span<const double> x, const Dataset& data, Batch batch,
                              std::span<double> gradient, ModelWorkspace& workspace) const {
  if (gradient.size() != dimension_) throw std::invalid_argument("mlp: gradient size mismatch");
  return evaluate(x, data, batch, gradient.data(), nullptr, workspace);
}

double Mlp::accuracy(std::span<const double> x, const Dataset& data, Batch batch,
                     ModelWorkspace& workspace) const {
  std::size_t correct = 0;
  evaluate(x, data, batch, nullptr, &correct, workspace);
  return batch.empty() ? std::numeric_limits<double>::quiet_NaN() : double(correct) / double(batch.size());
}

}  // namespace dlsim
