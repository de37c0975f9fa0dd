// Deterministic parallel evaluation; see evaluation.hpp.
#include "metrics/evaluation.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/detail/tsan_annotations.hpp"

namespace dlsim {
namespace {

// Fixed chunks: the partial sums and their order do not depend on threads.
constexpr std::size_t kChunk = 2048;

struct ChunkResult {
  double loss_sum = 0;
  double correct = 0;
  std::vector<double> gradient_sum;
};

std::vector<ChunkResult> over_chunks(const Model& model, std::span<const double> x, const Dataset& data,
                                     bool gradient, bool accuracy) {
  const std::size_t samples = data.size();
  const std::size_t chunks = (samples + kChunk - 1) / kChunk;
  std::vector<ChunkResult> results(chunks);
  DLSIM_HAPPENS_BEFORE(&results);
  tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
    DLSIM_HAPPENS_AFTER(&results);
    const std::size_t begin = c * kChunk, end = std::min(samples, begin + kChunk);
    std::vector<std::uint32_t> batch(end - begin);
    std::iota(batch.begin(), batch.end(), static_cast<std::uint32_t>(begin));
    auto workspace = model.make_workspace();
    ChunkResult& result = results[c];
    const double count = static_cast<double>(batch.size());
    if (gradient) {
      result.gradient_sum.assign(model.dimension(), 0.0);
      result.loss_sum = count * model.loss_and_gradient(x, data, batch, result.gradient_sum, *workspace);
      for (double& g : result.gradient_sum) g *= count;
    } else {
      result.loss_sum = count * model.loss(x, data, batch, *workspace);
    }
    if (accuracy) result.correct = count * model.accuracy(x, data, batch, *workspace);
    DLSIM_HAPPENS_BEFORE(&results[0]);
  });
  DLSIM_HAPPENS_AFTER(&results[0]);
  return results;
}

// Fraction of `data` that `model` at x classifies correctly.
double accuracy_on(const Model& model, std::span<const double> x, const Dataset& data) {
  double correct = 0;
  for (const ChunkResult& chunk : over_chunks(model, x, data, false, true)) correct += chunk.correct;
  return correct / static_cast<double>(data.size());
}

}  // namespace

std::vector<double> average_model(std::span<const std::vector<double>> models) {
  std::vector<double> mean(models.front().size(), 0.0);
  for (const auto& x : models)
    for (std::size_t k = 0; k < mean.size(); ++k) mean[k] += x[k];
  for (double& value : mean) value /= static_cast<double>(models.size());
  return mean;
}

double mean_squared_distance(std::span<const std::vector<double>> models, std::span<const double> point) {
  double distance = 0;
  for (const auto& x : models)
    for (std::size_t k = 0; k < point.size(); ++k) distance += (x[k] - point[k]) * (x[k] - point[k]);
  return distance / static_cast<double>(models.size());
}

double full_loss_and_gradient(const Model& model, std::span<const double> x, const Dataset& data,
                              std::span<double> gradient) {
  const auto chunks = over_chunks(model, x, data, true, false);
  double loss = 0;
  std::fill(gradient.begin(), gradient.end(), 0.0);
  for (const ChunkResult& chunk : chunks) {
    loss += chunk.loss_sum;
    for (std::size_t k = 0; k < gradient.size(); ++k) gradient[k] += chunk.gradient_sum[k];
  }
  const double samples = static_cast<double>(data.size());
  for (double& g : gradient) g /= samples;
  return loss / samples;
}

ModelEvaluation evaluate_models(std::span<const std::vector<double>> models, const Model& model,
                                const Dataset& train, const Dataset* test, bool per_node_accuracy) {
  ModelEvaluation evaluation;
  const std::vector<double> mean = average_model(models);
  std::vector<double> gradient(mean.size());
  evaluation.loss = full_loss_and_gradient(model, mean, train, gradient);
  double norm_squared = 0;
  for (double g : gradient) norm_squared += g * g;
  evaluation.gradient_norm = std::sqrt(norm_squared);
  if (model.has_accuracy()) {
    evaluation.train_accuracy = accuracy_on(model, mean, train);
    if (test != nullptr && test->size() > 0) {
      evaluation.test_accuracy = accuracy_on(model, mean, *test);
      if (per_node_accuracy) {
        double sum = 0;
        for (const auto& x : models) sum += accuracy_on(model, x, *test);
        evaluation.node_test_accuracy = sum / static_cast<double>(models.size());
      }
    }
  }
  evaluation.consensus_distance = mean_squared_distance(models, mean);
  return evaluation;
}

}  // namespace dlsim
