// Local client work; see local_training.hpp.
#include "algorithms/federated/local_training.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "algorithms/local_optimizer.hpp"
#include "sim/random.hpp"

namespace dlsim {

LocalTrainer::LocalTrainer(const FederatedConfig& config, const ClientTable& table)
    : config_(config), table_(table), workspaces_(std::make_shared<tbb::enumerable_thread_specific<Workspace>>()) {}

std::uint64_t samples_visited(std::uint64_t samples, std::uint64_t batch_size, MinibatchCursor cursor,
                              std::uint64_t steps) {
  if (steps == 0 || samples == 0) return 0;
  // What is left of the current epoch, then whole epochs, then a part of one.
  const std::uint64_t left = samples - std::min<std::uint64_t>(cursor.position, samples);
  const std::uint64_t finishing = (left + batch_size - 1) / batch_size;
  if (steps <= finishing) return std::min(steps * batch_size, left);
  const std::uint64_t per_epoch = (samples + batch_size - 1) / batch_size;
  const std::uint64_t after = steps - finishing;
  return left + (after / per_epoch) * samples + std::min((after % per_epoch) * batch_size, samples);
}

std::uint64_t LocalTrainer::steps(NodeId client, MinibatchCursor start) const {
  if (config_.rule.sends_gradient) return 1;
  if (config_.local_time_budget > 0) {
    // The duration grows with the steps: double past the budget, then bisect.
    constexpr std::uint64_t most = std::numeric_limits<std::uint32_t>::max();
    const SimTime budget = config_.local_time_budget;
    auto fits = [&](std::uint64_t steps) { return planned_duration(client, start, steps) <= budget; };
    if (!fits(1)) return 1;
    std::uint64_t low = 1, high = 2;  // fits(low); high unknown until checked
    while (high < most && fits(high)) {
      low = high;
      high = std::min(most, 2 * high);
    }
    if (high == most && fits(high)) return most;
    while (high - low > 1) {  // fits(low), !fits(high)
      const std::uint64_t middle = low + (high - low) / 2;
      (fits(middle) ? low : high) = middle;
    }
    return low;
  }
  if (config_.local_epochs == 0) return config_.local_steps;
  return config_.local_epochs * MinibatchWalk::batches_per_epoch(table_.samples(client), config_.batch_size);
}

SimTime LocalTrainer::planned_duration(NodeId client, MinibatchCursor start, std::uint64_t steps) const {
  const double seconds = compute_seconds(config_.compute, client, cost(client, start, steps));
  const double nanoseconds = std::ceil(seconds * 1e9);
  // Beyond the clock's range is beyond any budget.
  return nanoseconds >= static_cast<double>(kLatestTime) ? kLatestTime : static_cast<SimTime>(nanoseconds);
}

ComputeCost LocalTrainer::cost(NodeId client, MinibatchCursor cursor, std::uint64_t steps) const {
  double flops_per_sample = 0, input_dim = 0, samples = 0;
  if (config_.batches.generate) {
    Dataset shape;
    shape.dim = config_.batches.generated_dim;
    flops_per_sample = config_.model->flops_per_sample(shape);
    input_dim = static_cast<double>(config_.batches.generated_dim);
    samples = static_cast<double>(steps) * static_cast<double>(config_.batch_size);
  } else {
    flops_per_sample = config_.model->flops_per_sample(*config_.batches.data);
    input_dim = static_cast<double>(config_.batches.data->dim);
    // Exactly the samples the walk will visit (an epoch's last batch may be short).
    samples = static_cast<double>(samples_visited(table_.samples(client), config_.batch_size, cursor, steps));
    // Poisson batches: their expected size, min(batch_size, n_i), per step.
    if (config_.privacy.enabled && config_.privacy.poisson)
      samples = static_cast<double>(steps) *
                static_cast<double>(std::min<std::size_t>(config_.batch_size, table_.samples(client)));
  }
  const double d = static_cast<double>(config_.model->dimension());
  // A parameter-server worker only computes the gradient: no optimiser step.
  const double optimizer_steps = config_.rule.sends_gradient ? 0.0 : static_cast<double>(steps);
  double private_flops = 0;
  if (config_.privacy.enabled)
    private_flops = static_cast<double>(steps) *
                    private_gradient_flops(samples / std::max(1.0, static_cast<double>(steps)), d, config_.privacy.parameters);
  return ComputeCost{3.0 * flops_per_sample * samples + 8.0 * d * optimizer_steps + private_flops,
                     4.0 * samples * input_dim + 32.0 * d * optimizer_steps};
}

void LocalTrainer::run(NodeId client, LocalJob& job) const {
  Workspace& workspace = workspaces_->local();
  if (!workspace.model) workspace.model = config_.model->make_workspace();
  const std::vector<double>& x = *job.model;
  const std::size_t d = x.size();
  std::vector<double> y = x, gradient(d);
  LocalOptimizer optimizer(&config_.local);
  const double mu = config_.rule.proximal_mu;
  double step_sizes = 0, losses = 0;
  std::size_t batch_samples = 0;
  // FedNova's a_i: each step moves y by eta times the gradients' weight in
  // the optimiser's direction, 1 + rho + ... + rho^k for heavy ball.
  const double rho = config_.local.momentum;
  double velocity_weight = 0;
  job.coefficients = 0;
  MinibatchWalk walk(config_.seed, client, table_.indices(client), config_.batch_size, job.start);
  // Generated samples: a stream of the client's own for this round.
  RandomStream generator(config_.seed, client, purpose_id("fed.on_demand"), job.round);
  // DP-SGD: Poisson samples and noise from streams of the client's own for this job.
  const SamplePrivacy& privacy = config_.privacy;
  RandomStream sampling(config_.seed, client, purpose_id("privacy.poisson"), job.serial);
  RandomStream noise(config_.seed, client, purpose_id("privacy.noise"), job.serial);
  const std::span<const std::uint32_t> pool = table_.indices(client);
  const double q = privacy.enabled && privacy.poisson && !pool.empty() ? poisson_sampling_rate(config_.batch_size, pool.size()) : 0.0;
  for (std::uint64_t step = 0; step < job.steps; ++step) {
    if (privacy.enabled) {
      std::span<const std::uint32_t> batch;
      double expected = 0;
      if (privacy.poisson) {
        poisson_sample(pool, q, sampling, workspace.poisson_batch);
        batch = workspace.poisson_batch;
        expected = q * static_cast<double>(pool.size());
      } else {
        batch = walk.next();
        expected = static_cast<double>(batch.size());
      }
      losses += private_loss_and_gradient(*config_.model, y, *config_.batches.data, batch, expected, gradient,
                                          *workspace.model, workspace.private_gradient, privacy.parameters, noise);
      batch_samples += batch.size();
    } else if (config_.batches.generate) {
      config_.batches.generate(client, config_.batch_size, generator, workspace.generated);
      workspace.all_rows.resize(workspace.generated.size());
      std::iota(workspace.all_rows.begin(), workspace.all_rows.end(), 0u);
      losses += config_.model->loss_and_gradient(y, workspace.generated, workspace.all_rows, gradient, *workspace.model);
      batch_samples += workspace.all_rows.size();
    } else {
      const std::span<const std::uint32_t> batch = walk.next();
      losses += config_.model->loss_and_gradient(y, *config_.batches.data, batch, gradient, *workspace.model);
      batch_samples += batch.size();
    }
    if (config_.rule.sends_gradient) {  // a parameter-server worker: the gradient is the result
      job.delta = gradient;
      continue;
    }
    if (mu > 0)
      for (std::size_t k = 0; k < d; ++k) gradient[k] += mu * (y[k] - x[k]);
    if (!job.correction.empty())
      for (std::size_t k = 0; k < d; ++k) gradient[k] += job.correction[k];
    optimizer.apply(job.round, y, gradient, y);
    step_sizes += optimizer.learning_rate(job.round);
    velocity_weight = rho * velocity_weight + 1;
    job.coefficients += config_.local.nesterov ? 1 + rho * velocity_weight : velocity_weight;
  }
  job.end = walk.cursor();
  job.batch_samples = static_cast<std::uint32_t>(batch_samples);
  job.mean_loss = job.steps > 0 ? losses / static_cast<double>(job.steps) : 0.0;
  if (config_.rule.sends_gradient) return;
  job.delta.resize(d);
  for (std::size_t k = 0; k < d; ++k) job.delta[k] = y[k] - x[k];
  if (config_.rule.control_variates) {
    const std::vector<double>& c = *job.broadcast->control;
    job.control_delta.resize(d);
    // With no step taken (a zero learning rate) the client learns nothing about its gradient.
    const double inverse = step_sizes > 0 ? 1.0 / step_sizes : 0.0;
    for (std::size_t k = 0; k < d; ++k) job.control_delta[k] = step_sizes > 0 ? -c[k] - job.delta[k] * inverse : 0.0;
  }
}

}  // namespace dlsim
