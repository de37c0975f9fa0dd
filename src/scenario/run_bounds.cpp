// Bounds a run must fit; see run_bounds.hpp.
#include "scenario/run_bounds.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "algorithms/decentralized/round_based.hpp"
#include "sim/engine.hpp"

namespace dlsim {
namespace {

constexpr double kClockSeconds = static_cast<double>(kLatestTime) * 1e-9;

// The slowest node's gradients before jitter: its first one, and `rounds` of
// them one after the other (a node computes one gradient at a time).
struct SlowestGradients {
  double first_seconds = 0;
  double all_seconds = 0;
  NodeId first_node = 0, all_node = 0;
  double first_samples = 0;
};

SlowestGradients slowest_gradients(const Experiment& experiment, std::uint64_t rounds) {
  const DecentralizedConfig& config = experiment.config;
  // The cost is linear in the samples: time = samples x the time of one sample.
  const ComputeCost one_sample = gradient_cost(*experiment.model, config.batches, 1.0);
  const auto batch = static_cast<double>(config.batch_size);
  SlowestGradients slowest;
  for (NodeId node = 0; node < experiment.nodes; ++node) {
    double first = batch, all = batch * static_cast<double>(rounds);
    if (!config.batches.generate && node < config.batches.partition.size()) {
      // Epochs of m batches, the last one short: every sample once per epoch.
      const auto held = static_cast<double>(config.batches.partition[node].size());
      if (held == 0) continue;
      const double per_epoch = std::ceil(held / batch);
      const double epochs = std::floor(static_cast<double>(rounds) / per_epoch);
      first = std::min(batch, held);
      all = epochs * held + std::min((static_cast<double>(rounds) - epochs * per_epoch) * batch, held);
    }
    const double per_sample = compute_seconds(experiment.engine.compute, node, one_sample);
    if (first * per_sample > slowest.first_seconds) {
      slowest.first_seconds = first * per_sample;
      slowest.first_node = node;
      slowest.first_samples = first;
    }
    if (all * per_sample > slowest.all_seconds) {
      slowest.all_seconds = all * per_sample;
      slowest.all_node = node;
    }
  }
  return slowest;
}

// The compute rate whose term sets the gradient's duration.
std::string_view dominant_rate_key(const Experiment& experiment) {
  const ComputeCost cost = gradient_cost(*experiment.model, experiment.config.batches, 1.0);
  const ComputeConfig& compute = experiment.engine.compute;
  return cost.flops / compute.flops_per_second >= cost.bytes / compute.bytes_per_second ? "compute.flops_per_second"
                                                                                          : "compute.bytes_per_second";
}

std::string speed_note(const Experiment& experiment, NodeId node) {
  const std::vector<double>& factors = experiment.engine.compute.speed_factor;
  return factors.empty() ? "" : fmt::format(", speed factor {:.3g}", factors[node]);
}

}  // namespace

void check_run_bounds(const Scenario& scenario, const Experiment& experiment) {
  const auto rounds = static_cast<std::uint64_t>(scenario.integer("stop.rounds"));
  const SimTime time_limit = scenario.duration("stop.time");
  double run_seconds = 0;  // a lower bound on the run's simulated length
  if (experiment.algorithm->uses_gradients) {
    const SlowestGradients slowest = slowest_gradients(experiment, rounds);
    if (slowest.first_seconds > kClockSeconds)
      fail_at_key(scenario, dominant_rate_key(experiment),
                  fmt::format("one gradient of {:.0f} samples at node {}{} takes {:.3g} s of simulated time, beyond "
                              "the clock's range (int64 nanoseconds, about 292 years)",
                              slowest.first_samples, slowest.first_node, speed_note(experiment, slowest.first_node),
                              slowest.first_seconds));
    if (time_limit == 0 && slowest.all_seconds > kClockSeconds)
      fail_at_key(scenario, dominant_rate_key(experiment),
                  fmt::format("{} rounds of gradients at node {}{} take at least {:.3g} s of simulated time, beyond "
                              "the clock's range (int64 nanoseconds, about 292 years); set stop.time or a faster rate",
                              rounds, slowest.all_node, speed_note(experiment, slowest.all_node), slowest.all_seconds));
    run_seconds = slowest.all_seconds;
  }
  // Each communication round waits for at least one message.
  const std::uint64_t communication_rounds = rounds / std::max<std::uint64_t>(experiment.config.local_steps, 1);
  run_seconds = std::max(run_seconds, static_cast<double>(communication_rounds) *
                                          to_seconds(experiment.engine.network.latency.minimum()));

  const SimTime every_time = scenario.duration("metrics.every_time");
  if (every_time > 0) {
    const double span = time_limit > 0 ? std::min(to_seconds(time_limit), run_seconds) : run_seconds;
    const double evaluations = span / to_seconds(every_time);
    if (evaluations > static_cast<double>(kMaxTimedEvaluations)) {
      const SimTime least = checked_duration(std::ceil(span * 1e9 / static_cast<double>(kMaxTimedEvaluations)),
                                             "metrics.every_time");
      fail_at_key(scenario, "metrics.every_time",
                  fmt::format("{:.3g} evaluations over the at least {:.6g} s of simulated time this run lasts, more "
                              "than {} (each is a pass over the training set); use every_time >= {}",
                              evaluations, span, kMaxTimedEvaluations, format_duration(least)));
    }
  }
}

std::string too_many_evaluations_message(SimTime every_time, SimTime at) {
  return fmt::format("metrics.every_time = {}: {} evaluations by t = {:.6g} s and the run goes on; use a larger "
                     "every_time or set stop.time",
                     format_duration(every_time), kMaxTimedEvaluations, to_seconds(at));
}

}  // namespace dlsim
