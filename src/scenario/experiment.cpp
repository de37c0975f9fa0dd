// Building an experiment from a scenario and running it; see experiment.hpp.
#include "scenario/experiment.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <limits>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <sstream>

#include "metrics/evaluation.hpp"
#include "metrics/optimum.hpp"
#include "metrics/results_files.hpp"
#include "algorithms/decentralized/stall.hpp"
#include "scenario/run_bounds.hpp"
#include "scenario/experiment_builder.hpp"
#include "scenario/family.hpp"
#include "scenario/gamma_tuner.hpp"
#include "scenario/privacy_section.hpp"
#include "sim/engine.hpp"
#include "topologies/digraph.hpp"
#include "topologies/spectral.hpp"

#ifndef DLSIM_VERSION
#define DLSIM_VERSION "unknown"
#endif
#ifndef DLSIM_GIT_REVISION
#define DLSIM_GIT_REVISION "unknown"
#endif

namespace dlsim {
namespace {

// Thrown out of the run loop (or the gamma trials) when stop.wall_time is reached.
struct WallTimeReached {};

// Spectral analysis is part of the summary only where it is cheap.
constexpr std::uint32_t kSpectralSummaryLimit = 4096;
// A directed W's SLEM comes from a dense non-symmetric eigen-solve (about 10 n^3
// flops: 35 s at n = 1024 on a loaded 2-core machine).
constexpr std::uint32_t kDirectedSpectralSummaryLimit = 256;

long peak_memory_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

nlohmann::json scenario_json(const Scenario& scenario) {
  std::ostringstream out;
  out << toml::json_formatter{scenario.resolved()};
  return nlohmann::json::parse(out.str());
}

// The instant `limit` after `start`, or never (time_point::max) for a limit of 0 or beyond the clock.
std::chrono::steady_clock::time_point wall_deadline(std::chrono::steady_clock::time_point start, SimTime limit) {
  using Clock = std::chrono::steady_clock;
  if (limit <= 0 || std::chrono::nanoseconds(limit) >= Clock::time_point::max() - start) return Clock::time_point::max();
  return start + std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(limit));
}

std::string progress_text(std::uint64_t round, std::uint64_t rounds, SimTime now, std::uint64_t events,
                          double wall_seconds) {
  const double rate = wall_seconds > 0 ? static_cast<double>(events) / wall_seconds : 0;
  const double eta = round > 0 && rounds > round ? wall_seconds * static_cast<double>(rounds - round) / static_cast<double>(round) : 0;
  return fmt::format("round {}/{}  t={:.6g}s  {:.3g} M events/s  ETA {:.0f}s", round, rounds, to_seconds(now),
                     rate / 1e6, eta);
}

}  // namespace

std::string_view run_status_name(RunStatus status) {
  switch (status) {
    case RunStatus::completed: return "completed";
    case RunStatus::stopped: return "stopped";
    case RunStatus::diverged: return "diverged";
    case RunStatus::stalled: return "stalled";
    case RunStatus::failed: return "failed";
  }
  return "failed";
}

RunSummary run_scenario(const Scenario& scenario, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  auto wall_seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  };
  Experiment experiment = build_experiment(scenario, options.threads);

  nlohmann::json summary_json;
  summary_json["name"] = scenario.text("name");
  summary_json["seed"] = scenario.integer("seed");
  summary_json["version"] = DLSIM_VERSION;
  summary_json["git_revision"] = DLSIM_GIT_REVISION;
  summary_json["scenario"] = scenario_json(scenario);
  if (boost::num_vertices(experiment.graph) > 0) {  // families without a graph have no topology facts
    const GraphFacts facts = graph_facts(experiment.graph);
    summary_json["topology"] = {{"nodes", facts.nodes}, {"edges", facts.edges}, {"degree_max", facts.degree_max}};
    if (experiment.directed) summary_json["topology"]["directed"] = true;
    if (experiment.directed && experiment.nodes >= 2 && experiment.nodes <= kDirectedSpectralSummaryLimit) {
      // A column-stochastic W has a complex spectrum: push-sum's rate is its
      // second-largest eigenvalue modulus, the largest being 1.
      const DirectedSpectralReport spectrum = analyze_directed_spectrum(experiment.mixing);
      summary_json["topology"]["mixing"] = "column-stochastic (directed)";
      summary_json["topology"]["slem"] = spectrum.slem;
      summary_json["topology"]["directed_spectral_gap"] = spectrum.directed_spectral_gap;
      summary_json["topology"]["doubly_stochastic"] = spectrum.max_row_sum_error <= 1e-12;
    } else if (!experiment.directed && experiment.nodes >= 2 && experiment.nodes <= kSpectralSummaryLimit) {
      const SpectralReport spectrum = analyze_spectrum(experiment.mixing);
      summary_json["topology"]["spectral_gap"] = spectrum.spectral_gap;
      summary_json["topology"]["spectral_gap_signed"] = spectrum.spectral_gap_signed;
      summary_json["topology"]["lambda_2"] = spectrum.lambda_2;
      summary_json["topology"]["lambda_min"] = spectrum.lambda_min;
      // The largest gossip relaxation gamma that still converges (excluded):
      // x <- x + gamma (W - I) x; see algorithm.gamma.
      summary_json["topology"]["gamma_stability_bound"] = 2.0 / (1.0 - spectrum.lambda_min);
    }
    summary_json["topology"]["time_varying"] = experiment.config.mixing.time_varying();
  } else if (experiment.flat_mixing) {  // a graph built straight into flat arrays: the same facts from them
    const NeighbourTable& graph = experiment.flat_mixing->graph;
    std::size_t degree_max = 0;
    for (std::uint32_t node = 0; node < graph.nodes(); ++node) degree_max = std::max(degree_max, graph.degree(node));
    summary_json["topology"] = {{"nodes", graph.nodes()}, {"edges", graph.ids.size() / 2}, {"degree_max", degree_max}};
    summary_json["topology"]["time_varying"] = false;
  }
  if (experiment.flat_mixing) summary_json["flat_gossip"] = true;  // which path ran (scenario/flat_gossip_path.hpp)

  // Federated: the one model evaluated is the server's, trained on the
  // honest updates it aggregated; the Byzantine clients have no model of theirs.
  const bool federated = experiment.family->name == std::string_view("federated");
  if (!experiment.byzantine.empty() && federated)
    summary_json["byzantine"] = {{"clients", experiment.byzantine},
                                 {"count", experiment.byzantine.size()},
                                 {"placement", experiment.byzantine_placement},
                                 {"attack", experiment.byzantine_attack},
                                 {"aggregator", experiment.byzantine_defence},
                                 {"metrics", "the server's model; aggregate_error in metrics.csv"}};
  else if (!experiment.byzantine.empty())
    summary_json["byzantine"] = {{"nodes", experiment.byzantine},
                                 {"count", experiment.byzantine.size()},
                                 {"placement", experiment.byzantine_placement},
                                 {"attack", experiment.byzantine_attack},
                                 {"omniscient", scenario.boolean("byzantine.omniscient")},
                                 {"defence", experiment.byzantine_defence},
                                 {"metrics", "loss, accuracy, consensus and optimum distance over the honest nodes only"}};
  else if (federated && !experiment.byzantine_defence.empty())
    summary_json["byzantine"] = {{"clients", nlohmann::json::array()}, {"aggregator", experiment.byzantine_defence}};
  else if (!experiment.byzantine_defence.empty() && experiment.byzantine_defence != "none")
    summary_json["byzantine"] = {{"nodes", nlohmann::json::array()}, {"defence", experiment.byzantine_defence}};

  // f* for suboptimality curves: convex models on data small enough to solve
  // to 1e-10 before the run (L-BFGS over the whole training set).
  std::optional<double> optimal_loss;
  std::vector<double> optimum_point;
  const std::optional<std::string> optimum_note = optimum_skipped(scenario, experiment);
  if (optimum_note && !optimum_note->empty()) summary_json["optimum_note"] = *optimum_note;
  check_optimum_available(scenario, experiment);
  if (!optimum_note) {
    const OptimumResult optimum = minimize_full_loss(*experiment.model, *experiment.train);
    summary_json["optimal_loss"] = optimum.loss;
    summary_json["optimum_note"] = fmt::format("L-BFGS on the whole training set: {} iterations, gradient norm {:.3g}{}",
                                               optimum.iterations, optimum.gradient_norm,
                                               optimum.converged ? "" : " (not converged: an upper bound on f*)");
    optimal_loss = optimum.loss;
    optimum_point = optimum.x;
  }
  // Only now, with every input checked: bad input leaves nothing behind.
  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) throw ScenarioError(fmt::format("{}: cannot create the output folder: {}", options.out_dir, error.message()));
  const std::optional<double> target_suboptimality =
      scenario.has("metrics.target_suboptimality") && optimal_loss
          ? std::optional<double>(scenario.real("metrics.target_suboptimality"))
          : std::nullopt;

  const std::uint64_t rounds = static_cast<std::uint64_t>(scenario.integer("stop.rounds"));
  const std::uint64_t every = static_cast<std::uint64_t>(scenario.integer("metrics.every_rounds"));
  const SimTime every_time = scenario.duration("metrics.every_time");
  const SimTime time_limit = scenario.duration("stop.time");
  const SimTime wall_limit = scenario.duration("stop.wall_time");
  RunLimits limits;
  limits.return_when_idle = true;
  limits.wall_deadline = wall_deadline(wall_start, wall_limit);
  const bool has_accuracy = experiment.model->has_accuracy();
  const bool node_accuracy = has_accuracy && experiment.test && scenario.boolean("metrics.node_accuracy");
  std::vector<std::string> columns{"round", "time_s", "events", "messages_sent", "bits_sent", "max_node_bits_sent", "loss"};
  if (optimal_loss) columns.emplace_back("suboptimality");
  columns.insert(columns.end(), {"gradient_norm", "consensus_distance"});
  if (optimal_loss) columns.emplace_back("optimum_distance");
  if (has_accuracy) {
    columns.emplace_back("train_accuracy");
    if (experiment.test) columns.emplace_back("test_accuracy");
    if (node_accuracy) columns.emplace_back("node_test_accuracy");
  }
  columns.insert(columns.end(), experiment.metric_columns.begin(), experiment.metric_columns.end());
  columns.insert(columns.end(), experiment.model_metric_columns.begin(), experiment.model_metric_columns.end());
  // [privacy]: the worst node's epsilon spent so far (+inf without noise).
  const std::shared_ptr<PrivacyLedger> ledger = experiment.privacy.ledger();
  if (experiment.privacy.active()) columns.emplace_back("epsilon");
  const std::optional<double> privacy_budget =
      scenario.has("stop.privacy_budget") ? std::optional<double>(scenario.real("stop.privacy_budget")) : std::nullopt;
  std::uint64_t privacy_steps_before = 0;  // the busiest node's DP steps at the previous evaluation
  // The averaged iterate: the same figures at the mean over nodes of each
  // node's uniform average of its past models (RoundSnapshots).
  const bool averaged_iterate = scenario.boolean("metrics.averaged_iterate");
  if (averaged_iterate) {
    columns.emplace_back("loss_averaged");
    if (optimal_loss) columns.emplace_back("suboptimality_averaged");
    if (has_accuracy) {
      columns.emplace_back("train_accuracy_averaged");
      if (experiment.test) columns.emplace_back("test_accuracy_averaged");
    }
  }
  CsvTable table(columns);

  RunSummary summary;
  summary.status = RunStatus::completed;
  const bool show_progress = !options.quiet && (options.progress || isatty(STDERR_FILENO));
  auto report = [&](const std::string& line) {
    if (options.progress) options.progress(line);
    else fmt::print(stderr, "\r\x1b[2K{}", line);
  };

  // Declared in this order so that the engine (which joins any compute task
  // still running) goes before the behaviour whose buffers the tasks write.
  std::unique_ptr<RoundSnapshots> snapshots_holder;
  std::unique_ptr<LearningBehaviour> behaviour_holder;
  std::unique_ptr<Engine> engine;
  try {
    if (experiment.gamma_auto) {
      const std::uint64_t tune_rounds_key = static_cast<std::uint64_t>(scenario.integer("algorithm.tune_rounds"));
      const std::uint64_t tune_rounds = tune_rounds_key > 0 ? tune_rounds_key : std::max<std::uint64_t>(20, rounds / 10);
      const GammaChoice choice =
          tune_gamma(experiment, std::min(tune_rounds, std::max<std::uint64_t>(rounds, 1)), limits.wall_deadline);
      experiment.config.gamma = choice.gamma;
      nlohmann::json trials = nlohmann::json::array();
      for (const GammaTrial& trial : choice.trials)
        trials.push_back({{"gamma", trial.gamma}, {choice.criterion, std::isfinite(trial.figure) ? nlohmann::json(trial.figure) : nlohmann::json(nullptr)}});
      summary_json["gamma_tuning"] = {{"gamma", choice.gamma}, {"rounds", choice.rounds},
                                      {"criterion", choice.criterion}, {"trials", trials}};
      if (options.verbose) fmt::print(stderr, "gamma = \"auto\": chose {} ({} after {} rounds)\n", choice.gamma, choice.criterion, choice.rounds);
      if (choice.interrupted) throw WallTimeReached{};
    }
    if (experiment.algorithm && experiment.algorithm->uses_gamma) summary_json["gamma"] = experiment.config.gamma;
    // By time: evaluate the nodes' current models every `every_time`; the
    // snapshots then only mark the last round. By rounds: evaluate snapshots.
    const bool by_time = every_time > 0;
    snapshots_holder = std::make_unique<RoundSnapshots>(
        experiment.evaluated_models, by_time ? std::numeric_limits<std::uint64_t>::max() : every, rounds,
        averaged_iterate);
    RoundSnapshots& snapshots = *snapshots_holder;
    behaviour_holder = experiment.make_behaviour(experiment, &snapshots);
    experiment.flat_initial_models = {};  // the flat gossip behaviour holds its own copy (8 d B per node)
    LearningBehaviour& behaviour = *behaviour_holder;
    engine = std::make_unique<Engine>(std::move(experiment.engine));  // its per-node rates are not kept twice
    engine->set_behaviour_all(&behaviour);
    engine->set_limits(limits);
    const SimTime horizon = time_limit > 0 ? time_limit : kNever - 1;
    SimTime next_evaluation = by_time ? 0 : kNever;

    bool reached_target = false;
    std::map<std::string, double> to_target;
    // metrics.target_accuracy: NaN (null in summary.json) until reached.
    const std::optional<double> target_accuracy =
        scenario.has("metrics.target_accuracy") ? std::optional<double>(scenario.real("metrics.target_accuracy"))
                                                : std::nullopt;
    bool reached_accuracy = false;
    if (target_accuracy)
      for (const char* name : {"rounds_to_target_accuracy", "time_to_target_accuracy_s", "bits_to_target_accuracy"})
        to_target[name] = std::numeric_limits<double>::quiet_NaN();
    // Adds a row; returns true when a stop condition is met (and says which).
    // With Byzantine nodes, every model figure is over the honest nodes only.
    auto honest_only = [&](std::span<const std::vector<double>> models) {
      std::vector<std::vector<double>> honest;
      honest.reserve(models.size());
      for (NodeId index = 0; index < models.size(); ++index)
        if (!std::binary_search(experiment.byzantine.begin(), experiment.byzantine.end(), index))
          honest.push_back(models[index]);
      return honest;
    };
    // `all_averaged`: the nodes' averaged iterates (metrics.averaged_iterate; by rounds only).
    auto record = [&](std::span<const std::vector<double>> all_models, std::uint64_t round, SimTime time,
                      std::span<const std::vector<double>> all_averaged = {}) {
      std::vector<std::vector<double>> honest_models;
      const bool filter = !experiment.byzantine.empty() && !federated;
      if (filter) honest_models = honest_only(all_models);
      const std::span<const std::vector<double>> models =
          !filter ? all_models : std::span<const std::vector<double>>(honest_models);
      const ModelEvaluation evaluation =
          evaluate_models(models, *experiment.model, *experiment.train, experiment.test.get(), node_accuracy);
      const NodeCounters totals = engine->total_counters();
      std::uint64_t max_bits = 0;
      if (const std::optional<std::uint64_t> known = behaviour.max_node_bits_sent())
        max_bits = *known;
      else
        for (NodeId node = 0; node < experiment.nodes; ++node)
          max_bits = std::max(max_bits, engine->counters(node).bits_sent);
      std::vector<double> row{static_cast<double>(round), to_seconds(time),
                              static_cast<double>(engine->stats().events), static_cast<double>(totals.messages_sent),
                              static_cast<double>(totals.bits_sent), static_cast<double>(max_bits), evaluation.loss};
      if (optimal_loss) row.push_back(evaluation.loss - *optimal_loss);
      row.insert(row.end(), {evaluation.gradient_norm, evaluation.consensus_distance});
      if (optimal_loss) row.push_back(mean_squared_distance(models, optimum_point));
      if (has_accuracy) {
        row.push_back(evaluation.train_accuracy);
        if (experiment.test) row.push_back(evaluation.test_accuracy);
        if (node_accuracy) row.push_back(evaluation.node_test_accuracy);
      }
      behaviour.metric_values(round, row);
      if (experiment.model_metric_values) experiment.model_metric_values(models, row);
      if (experiment.privacy.active())
        row.push_back(ledger ? ledger->spent().epsilon : std::numeric_limits<double>::infinity());
      if (averaged_iterate) {
        const std::vector<std::vector<double>> averaged =
            filter ? honest_only(all_averaged) : std::vector<std::vector<double>>(all_averaged.begin(), all_averaged.end());
        const ModelEvaluation at_average =
            evaluate_models(averaged, *experiment.model, *experiment.train, experiment.test.get());
        row.push_back(at_average.loss);
        if (optimal_loss) row.push_back(at_average.loss - *optimal_loss);
        if (has_accuracy) {
          row.push_back(at_average.train_accuracy);
          if (experiment.test) row.push_back(at_average.test_accuracy);
        }
      }
      table.add_row(row);
      for (std::size_t i = 0; i < columns.size(); ++i) summary.final[columns[i]] = row[i];
      // The first evaluation at the target: what it took to get there.
      if (target_suboptimality && !reached_target && evaluation.loss - *optimal_loss <= *target_suboptimality) {
        reached_target = true;
        to_target = {{"rounds_to_target", row[0]}, {"time_to_target_s", row[1]}, {"bits_to_target", row[4]}};
      }
      // The accuracy that stop.target_accuracy reads: test, or train without a test set.
      if (target_accuracy && !reached_accuracy && has_accuracy &&
          (experiment.test ? evaluation.test_accuracy : evaluation.train_accuracy) >= *target_accuracy) {
        reached_accuracy = true;
        to_target["rounds_to_target_accuracy"] = row[0];
        to_target["time_to_target_accuracy_s"] = row[1];
        to_target["bits_to_target_accuracy"] = row[4];
      }
      for (const auto& [name, value] : to_target) summary.final[name] = value;
      if (options.verbose)
        fmt::print(stderr, "round {} ({:.6g} s): loss {:.6g}, consensus distance {:.3g}\n", round, to_seconds(time),
                   evaluation.loss, evaluation.consensus_distance);
      if (!std::isfinite(evaluation.loss) || !std::isfinite(evaluation.consensus_distance)) {
        summary.status = RunStatus::diverged;
        // Name the figure that is not finite: the loss at the average model can stay
        // finite while the nodes' models drift apart (the consensus distance overflows).
        const bool loss_finite = std::isfinite(evaluation.loss);
        const bool consensus_finite = std::isfinite(evaluation.consensus_distance);
        summary.message = fmt::format("the {} not finite at round {}",
                                      !loss_finite && !consensus_finite ? "loss and the consensus distance are"
                                      : !loss_finite                    ? "loss is"
                                                                        : "consensus distance is",
                                      round);
        return true;
      }
      if (scenario.has("stop.target_suboptimality") && optimal_loss &&
          evaluation.loss - *optimal_loss <= scenario.real("stop.target_suboptimality")) {
        summary.message = fmt::format("target suboptimality reached at round {}", round);
        return true;
      }
      if (scenario.has("stop.target_consensus") &&
          evaluation.consensus_distance <= scenario.real("stop.target_consensus")) {
        summary.message = fmt::format("target consensus distance reached at round {}", round);
        return true;
      }
      if (scenario.has("stop.target_loss") && evaluation.loss <= scenario.real("stop.target_loss")) {
        summary.message = fmt::format("target loss reached at round {}", round);
        return true;
      }
      if (scenario.has("stop.target_accuracy") && has_accuracy &&
          (experiment.test ? evaluation.test_accuracy : evaluation.train_accuracy) >=
              scenario.real("stop.target_accuracy")) {
        summary.message = fmt::format("target accuracy reached at round {}", round);
        return true;
      }
      // Stop before the budget is overspent: the next interval is assumed to
      // take as many DP steps as the last one did.
      if (privacy_budget && ledger) {
        const std::uint64_t steps = ledger->max_steps();
        const std::uint64_t next = steps + (steps - std::min(steps, privacy_steps_before));
        privacy_steps_before = steps;
        if (ledger->spent_after(next).epsilon > *privacy_budget) {
          summary.message = fmt::format(
              "privacy budget {} reached at round {}: epsilon {:.4g} spent, the next evaluation interval would exceed it",
              *privacy_budget, round, ledger->spent().epsilon);
          return true;
        }
      }
      return false;
    };

    bool done = false;
    while (!done) {
      const SimTime target = std::min(horizon, next_evaluation);
      const RunOutcome outcome = engine->run_until(target);
      if (outcome == RunOutcome::wall_deadline) throw WallTimeReached{};
      if (by_time && outcome != RunOutcome::stop_requested && engine->now() >= next_evaluation) {
        if (table.rows() >= kMaxTimedEvaluations)
          throw std::runtime_error(too_many_evaluations_message(every_time, next_evaluation));
        std::vector<std::vector<double>> models;
        std::uint64_t slowest = rounds;
        for (NodeId node = 0; node < experiment.evaluated_models; ++node) {
          models.emplace_back(behaviour.model(node).begin(), behaviour.model(node).end());
          slowest = std::min(slowest, behaviour.rounds_completed(node));
        }
        done = record(models, slowest, next_evaluation);
        next_evaluation = next_evaluation > kLatestTime - every_time ? kNever : next_evaluation + every_time;
      }
      while (!done) {
        auto snapshot = snapshots.take_ready();
        if (!snapshot) break;
        if (by_time && snapshot->round < rounds) continue;  // round 0: already evaluated at time 0
        done = record(snapshot->models, snapshot->round, snapshot->completed_at, snapshot->averaged_models);
        if (!done && snapshot->round >= rounds) {
          summary.message = fmt::format("{} rounds completed", rounds);
          done = true;
        }
      }
      if (done) break;
      if (outcome == RunOutcome::reached_time && target == horizon) {
        summary.message = fmt::format("simulated time limit {} reached", format_duration(time_limit));
        break;
      }
      // Nothing left at all, or nothing but churn that no rejoining node would act on.
      if (outcome == RunOutcome::queue_empty ||
          (outcome == RunOutcome::idle && no_progress_possible(*engine, behaviour))) {
        // With a round timeout the others finished without the crashed nodes; their last models complete the evaluations.
        if (behaviour.stand_in_for_crashed(*engine)) continue;
        summary.status = RunStatus::stalled;
        summary.message = stall_message(*engine, behaviour);
        break;
      }
      if (wall_limit > 0 && wall_seconds() * 1e9 >= static_cast<double>(wall_limit)) throw WallTimeReached{};
      if (show_progress && table.rows() > 0)
        report(progress_text(static_cast<std::uint64_t>(summary.final["round"]), rounds, engine->now(),
                             engine->stats().events, wall_seconds()));
    }
  } catch (const WallTimeReached&) {
    summary.status = RunStatus::stopped;
    summary.message = fmt::format("wall-time limit {} reached", format_duration(wall_limit));
  } catch (const std::exception& failure) {
    summary.status = RunStatus::failed;
    summary.message = failure.what();
  }
  if (show_progress) report("");
  if (show_progress && !options.progress) fmt::print(stderr, "\r\x1b[2K");

  summary.wall_seconds = wall_seconds();
  summary.events = engine ? engine->stats().events : 0;
  summary_json["status"] = run_status_name(summary.status);
  summary_json["message"] = summary.message;
  summary_json["final"] = summary.final;
  if (behaviour_holder)
    for (const auto& [name, value] : behaviour_holder->summary_figures())
      summary_json[std::string(experiment.family->name)][name] = value;
  summary_json["host"] = {{"wall_seconds", summary.wall_seconds},
                          {"events_per_second", summary.wall_seconds > 0 ? static_cast<double>(summary.events) / summary.wall_seconds : 0.0},
                          {"threads", options.threads},
                          {"peak_memory_mib", static_cast<double>(peak_memory_kib()) / 1024.0}};
  summary_json["events"] = summary.events;
  if (experiment.privacy.active()) summary_json["privacy"] = privacy_summary(experiment.privacy);
  const std::filesystem::path out(options.out_dir);
  write_file_atomically((out / "metrics.csv").string(), table.text());
  // The summary goes last: its presence marks a finished run.
  write_file_atomically((out / "summary.json").string(), summary_json.dump(2) + "\n");
  return summary;
}

}  // namespace dlsim
