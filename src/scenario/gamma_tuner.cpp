// Trial runs for gamma = "auto"; see gamma_tuner.hpp.
#include "scenario/gamma_tuner.hpp"

#include <cmath>
#include <limits>
#include <memory>
#include <optional>

#include "algorithms/decentralized/stall.hpp"
#include "metrics/evaluation.hpp"

namespace dlsim {

const std::vector<double>& gamma_candidates() {
  static const std::vector<double> candidates{1.0, 0.5, 0.25, 0.1, 0.05, 0.025, 0.01, 0.005};
  return candidates;
}

namespace {

// The criterion after `rounds` rounds with `gamma`; nullopt when the wall-clock deadline passed.
std::optional<double> trial(const Experiment& experiment, double gamma, std::uint64_t rounds,
                            std::chrono::steady_clock::time_point wall_deadline) {
  DecentralizedConfig config = experiment.config;
  config.gamma = gamma;
  config.rounds = rounds;
  RoundSnapshots snapshots(experiment.nodes, rounds, rounds);
  std::unique_ptr<DecentralizedAlgorithm> behaviour = experiment.algorithm->make(std::move(config), &snapshots);
  std::optional<RoundSnapshot> last;
  {
    Engine engine(experiment.engine);  // destroyed (its tasks joined) before the behaviour
    engine.set_behaviour_all(behaviour.get());
    RunLimits limits;
    limits.return_when_idle = true;
    limits.wall_deadline = wall_deadline;
    engine.set_limits(limits);
    for (;;) {
      const RunOutcome outcome = engine.run_until(kLatestTime);
      for (auto ready = snapshots.take_ready(); ready; ready = snapshots.take_ready()) last = std::move(ready);
      if (last && last->round == rounds) break;
      if (outcome == RunOutcome::wall_deadline) return std::nullopt;
      // Go on after a stop, or while churn can still bring back a node that resumes; else it stalled.
      if (outcome != RunOutcome::stop_requested &&
          !(outcome == RunOutcome::idle && !no_progress_possible(engine, *behaviour)) &&
          !behaviour->stand_in_for_crashed(engine))
        break;
    }
  }
  if (!last || last->round != rounds) return std::numeric_limits<double>::infinity();
  const ModelEvaluation evaluation = evaluate_models(last->models, *experiment.model, *experiment.train, nullptr);
  return std::isfinite(evaluation.loss) && std::isfinite(evaluation.consensus_distance)
             ? evaluation.consensus_distance
             : std::numeric_limits<double>::infinity();
}

}  // namespace

GammaChoice tune_gamma(const Experiment& experiment, std::uint64_t rounds,
                       std::chrono::steady_clock::time_point wall_deadline) {
  GammaChoice choice;
  choice.rounds = rounds;
  choice.criterion = "consensus_distance";
  double best = std::numeric_limits<double>::infinity();
  for (double gamma : gamma_candidates()) {
    const std::optional<double> result = trial(experiment, gamma, rounds, wall_deadline);
    if (!result) {
      choice.interrupted = true;
      break;
    }
    const double figure = *result;
    choice.trials.push_back(GammaTrial{gamma, figure});
    if (figure < best) {
      best = figure;
      choice.gamma = gamma;
    }
  }
  // Nothing finished finitely: the smallest step is the safest guess.
  if (!std::isfinite(best)) choice.gamma = gamma_candidates().back();
  return choice;
}

}  // namespace dlsim
