// Trial runs for gamma = "auto"; see gamma_tuner.hpp.
#include "scenario/gamma_tuner.hpp"

#include <cmath>
#include <limits>
#include <memory>

#include "metrics/evaluation.hpp"

namespace dlsim {

const std::vector<double>& gamma_candidates() {
  static const std::vector<double> candidates{1.0, 0.5, 0.25, 0.1, 0.05, 0.025, 0.01, 0.005};
  return candidates;
}

namespace {

double trial(const Experiment& experiment, double gamma, std::uint64_t rounds) {
  DecentralizedConfig config = experiment.config;
  config.gamma = gamma;
  config.rounds = rounds;
  RoundSnapshots snapshots(experiment.nodes, rounds, rounds);
  std::unique_ptr<DecentralizedAlgorithm> behaviour = experiment.algorithm->make(std::move(config), &snapshots);
  std::optional<RoundSnapshot> last;
  {
    Engine engine(experiment.engine);  // destroyed (its tasks joined) before the behaviour
    engine.set_behaviour_all(behaviour.get());
    while (engine.run_until(kNever - 1) == RunOutcome::stop_requested) {
      for (auto ready = snapshots.take_ready(); ready; ready = snapshots.take_ready()) last = std::move(ready);
      if (last && last->round == rounds) break;
    }
    for (auto ready = snapshots.take_ready(); ready; ready = snapshots.take_ready()) last = std::move(ready);
  }
  if (!last || last->round != rounds) return std::numeric_limits<double>::infinity();
  const ModelEvaluation evaluation = evaluate_models(last->models, *experiment.model, *experiment.train, nullptr);
  return std::isfinite(evaluation.loss) && std::isfinite(evaluation.consensus_distance)
             ? evaluation.consensus_distance
             : std::numeric_limits<double>::infinity();
}

}  // namespace

GammaChoice tune_gamma(const Experiment& experiment, std::uint64_t rounds) {
  GammaChoice choice;
  choice.rounds = rounds;
  choice.criterion = "consensus_distance";
  double best = std::numeric_limits<double>::infinity();
  for (double gamma : gamma_candidates()) {
    const double figure = trial(experiment, gamma, rounds);
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
