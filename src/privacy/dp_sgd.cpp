#include "privacy/dp_sgd.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/random.hpp"

namespace dlsim {

double clip_to_norm(std::span<double> v, double clip_norm) {
  if (!(clip_norm > 0.0)) throw std::invalid_argument("clip_to_norm: the clip norm must be > 0");
  if (std::isinf(clip_norm)) return 1.0;
  double squares = 0.0;
  for (double value : v) squares += value * value;
  const double norm = std::sqrt(squares);
  if (norm <= clip_norm) return 1.0;
  const double factor = clip_norm / norm;
  for (double& value : v) value *= factor;
  return factor;
}

void add_gaussian_noise(std::span<double> v, double stddev, RandomStream& rng) {
  if (stddev == 0.0) return;
  for (double& value : v) value += stddev * rng.normal();
}

void poisson_sample(std::span<const std::uint32_t> pool, double q, RandomStream& rng,
                    std::vector<std::uint32_t>& out) {
  out.clear();
  for (std::uint32_t index : pool)
    if (rng.uniform() < q) out.push_back(index);
}

double private_loss_and_gradient(const Model& model, std::span<const double> x, const Dataset& data, Batch batch,
                                 double expected_batch_size, std::span<double> gradient,
                                 ModelWorkspace& model_workspace, DpSgdWorkspace& workspace,
                                 const DpSgdParameters& parameters, RandomStream& noise) {
  if (std::isinf(parameters.clip_norm)) {
    // Clipping is the identity: the plain batched gradient (noise sigma * inf is refused upstream).
    if (batch.empty()) {
      std::fill(gradient.begin(), gradient.end(), 0.0);
      return 0.0;
    }
    return model.loss_and_gradient(x, data, batch, gradient, model_workspace);
  }
  if (!(expected_batch_size > 0.0))
    throw std::invalid_argument("private_loss_and_gradient: the expected batch size must be > 0");
  std::fill(gradient.begin(), gradient.end(), 0.0);
  workspace.sample_gradient.resize(gradient.size());
  workspace.single.resize(1);
  double losses = 0.0;
  for (std::uint32_t sample : batch) {
    workspace.single[0] = sample;
    losses += model.loss_and_gradient(x, data, workspace.single, workspace.sample_gradient, model_workspace);
    clip_to_norm(workspace.sample_gradient, parameters.clip_norm);
    for (std::size_t k = 0; k < gradient.size(); ++k) gradient[k] += workspace.sample_gradient[k];
  }
  add_gaussian_noise(gradient, parameters.noise_multiplier * parameters.clip_norm, noise);
  const double inverse = 1.0 / expected_batch_size;
  for (double& value : gradient) value *= inverse;
  return batch.empty() ? 0.0 : losses / static_cast<double>(batch.size());
}

double private_gradient_flops(double samples, double dimension, const DpSgdParameters& parameters) {
  if (std::isinf(parameters.clip_norm)) return 0.0;
  const double noise = parameters.noise_multiplier > 0.0 ? 20.0 * dimension : 0.0;
  return 4.0 * samples * dimension + noise;
}

}  // namespace dlsim
