// Building an experiment from a scenario and running it; see experiment.hpp.
#include "scenario/experiment.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <limits>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <sstream>

#include "algorithms/decentralized/gossip_sgd.hpp"
#include "data/csv.hpp"
#include "data/idx.hpp"
#include "data/libsvm.hpp"
#include "data/normalize.hpp"
#include "data/partition.hpp"
#include "data/synthetic.hpp"
#include "metrics/evaluation.hpp"
#include "metrics/results_files.hpp"
#include "models/consensus.hpp"
#include "models/least_squares.hpp"
#include "models/logistic.hpp"
#include "models/mlp.hpp"
#include "models/softmax.hpp"
#include "sim/engine.hpp"
#include "sim/heterogeneity.hpp"
#include "sim/random.hpp"
#include "topologies/generators.hpp"
#include "topologies/graph_files.hpp"
#include "topologies/mixing.hpp"
#include "topologies/spectral.hpp"

#ifndef DLSIM_VERSION
#define DLSIM_VERSION "unknown"
#endif
#ifndef DLSIM_GIT_REVISION
#define DLSIM_GIT_REVISION "unknown"
#endif

namespace dlsim {
namespace {

// Spectral analysis is part of the summary only where it is cheap.
constexpr std::uint32_t kSpectralSummaryLimit = 4096;

[[noreturn]] void bad(const Scenario& scenario, std::string_view path, std::string_view what) {
  const toml::node* node = scenario.resolved().at_path(path).node();
  const std::string where = node ? describe_location(*node, scenario.source()) : scenario.source();
  throw ScenarioError(fmt::format("{}: {}: {}", where, path, what));
}

// Runs `build`, turning a component's std::invalid_argument into a ScenarioError at `path`.
template <typename Build>
auto at_key(const Scenario& scenario, std::string_view path, Build build) {
  try {
    return build();
  } catch (const ScenarioError&) {
    throw;
  } catch (const std::invalid_argument& error) {
    bad(scenario, path, error.what());
  }
}

std::string toml_to_text(const toml::node& node) {
  if (auto text = node.value<std::string>(); node.is_string()) return *text;
  if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
  if (node.is_floating_point()) return fmt::format("{}", *node.value<double>());
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  std::ostringstream out;
  node.visit([&](const auto& value) { out << value; });
  return out.str();
}

struct Experiment {
  std::uint32_t nodes = 0;
  Graph graph;
  SparseMatrix mixing;
  SharedDataset train, test;
  std::shared_ptr<const Model> model;
  EngineConfig engine;
  GossipSgdConfig algorithm;
};

void build_topology(const Scenario& scenario, Experiment& experiment) {
  const std::string kind = scenario.text("topology.kind");
  if (kind == "file") {
    if (!scenario.has("topology.file")) bad(scenario, "topology.kind", "kind \"file\" needs topology.file");
    experiment.graph = at_key(scenario, "topology.file",
                              [&] { return read_graph_file(scenario.text("topology.file")); });
  } else {
    ParamText params;
    for (const auto& [name, node] : scenario.section_entries("topology"))
      if (name != "kind" && name != "weights" && name != "file") params[name] = toml_to_text(*node);
    experiment.graph = at_key(scenario, "topology.kind", [&] {
      return make_topology(kind, experiment.nodes, params, static_cast<std::uint64_t>(scenario.integer("seed")));
    });
  }
  const std::size_t size = boost::num_vertices(experiment.graph);
  if (size != experiment.nodes)
    bad(scenario, "nodes",
        fmt::format("the {} graph has {} nodes but the scenario has {}", kind, size, experiment.nodes));
  if (connected_components(experiment.graph).count > 1)
    bad(scenario, "topology.kind",
        fmt::format("the {} graph is disconnected; {} needs a connected graph", kind,
                    scenario.text("algorithm.kind")));
  experiment.mixing = at_key(scenario, "topology.weights", [&] {
    return mixing_matrix(experiment.graph, parse_mixing_rule(scenario.text("topology.weights")));
  });
  experiment.algorithm.mixing.assign(experiment.nodes, MixingRow{});
  for (int node = 0; node < experiment.mixing.outerSize(); ++node) {
    MixingRow& row = experiment.algorithm.mixing[static_cast<std::size_t>(node)];
    row.self_weight = 0;
    // W is symmetric, so column `node` is also its row; entries come in ascending order.
    for (SparseMatrix::InnerIterator it(experiment.mixing, node); it; ++it) {
      if (it.row() == node) {
        row.self_weight = it.value();
      } else {
        row.neighbours.push_back(static_cast<NodeId>(it.row()));
        row.weights.push_back(it.value());
      }
    }
  }
}

Dataset synthetic(const Scenario& scenario, std::size_t samples, RandomStream& rng) {
  const std::string source = scenario.text("data.source");
  const auto features = static_cast<std::size_t>(scenario.integer("data.features"));
  const auto groups = static_cast<std::size_t>(scenario.integer("data.groups"));
  const double heterogeneity = scenario.real("data.heterogeneity");
  if (source == "synthetic-logistic")
    return make_logistic(LogisticSpec{samples, features, scenario.real("data.margin"),
                                      scenario.real("data.flip_probability"), groups, heterogeneity},
                         rng);
  if (source == "synthetic-linear")
    return make_linear_regression(
        LinearRegressionSpec{samples, features, scenario.real("data.noise"), groups, heterogeneity}, rng);
  return make_gaussian_mixture(
      GaussianMixtureSpec{samples, features, static_cast<std::size_t>(scenario.integer("data.classes")),
                          scenario.real("data.separation"), 1.0, groups, heterogeneity},
      rng);
}

void build_data(const Scenario& scenario, Experiment& experiment) {
  const std::string source = scenario.text("data.source");
  const auto seed = static_cast<std::uint64_t>(scenario.integer("seed"));
  Dataset train, test;
  auto required_path = [&](std::string_view key) {
    if (!scenario.has(key)) bad(scenario, "data.source", fmt::format("source \"{}\" needs {}", source, key));
    return scenario.text(key);
  };
  if (source.rfind("synthetic", 0) == 0 || source == "gaussian-mixture") {
    // One draw for train and test, so both come from the same distribution.
    const auto samples = static_cast<std::size_t>(scenario.integer("data.samples"));
    const auto test_samples = static_cast<std::size_t>(scenario.integer("data.test_samples"));
    RandomStream rng(seed, 0, purpose_id("data.synthetic"));
    const Dataset all = synthetic(scenario, samples + test_samples, rng);
    std::vector<std::uint32_t> train_rows(samples), test_rows(test_samples);
    std::iota(train_rows.begin(), train_rows.end(), 0u);
    std::iota(test_rows.begin(), test_rows.end(), static_cast<std::uint32_t>(samples));
    train = subset(all, train_rows);
    test = subset(all, test_rows);
  } else if (source == "libsvm") {
    train = at_key(scenario, "data.path", [&] { return load_libsvm(required_path("data.path")); });
    if (scenario.has("data.test_path"))
      test = at_key(scenario, "data.test_path", [&] {
        return load_libsvm(scenario.text("data.test_path"), LibsvmOptions{train.dim, false});
      });
  } else if (source == "csv") {
    train = at_key(scenario, "data.path", [&] { return load_csv(required_path("data.path")); });
    if (scenario.has("data.test_path"))
      test = at_key(scenario, "data.test_path", [&] { return load_csv(scenario.text("data.test_path")); });
  } else {
    const std::string dir = scenario.has("data.path") ? scenario.text("data.path") : std::string(kFashionMnistDir);
    if (!fashion_mnist_available(dir))
      bad(scenario, "data.source",
          fmt::format("Fashion-MNIST is not in {} (install Debian's dataset-fashion-mnist)", dir));
    train = at_key(scenario, "data.path", [&] { return load_fashion_mnist(dir, true); });
    test = at_key(scenario, "data.path", [&] { return load_fashion_mnist(dir, false); });
  }
  const std::string normalization = scenario.text("data.normalize");
  if (normalization == "unit-norm") {
    normalize_rows(train);
    if (test.size() > 0) normalize_rows(test);
  } else if (normalization != "none") {
    const FeatureScaling scaling = fit_scaling(train, parse_normalization(normalization));
    apply_scaling(train, scaling);
    if (test.size() > 0) apply_scaling(test, scaling);
  }
  experiment.train = std::make_shared<const Dataset>(std::move(train));
  if (test.size() > 0) experiment.test = std::make_shared<const Dataset>(std::move(test));

  const std::string partition = scenario.text("data.partition");
  const std::size_t samples = experiment.train->size();
  RandomStream rng(seed, 0, purpose_id("data.partition"));
  Partition split = at_key(scenario, "data.partition", [&] {
    if (partition == "iid") return partition_iid(samples, experiment.nodes, rng);
    if (partition == "sorted") return partition_sorted_by_label(*experiment.train, experiment.nodes);
    if (partition == "shards")
      return partition_shards(*experiment.train, experiment.nodes,
                              static_cast<std::size_t>(scenario.integer("data.shards_per_node")), rng);
    if (partition == "dirichlet")
      return partition_dirichlet(*experiment.train, experiment.nodes, scenario.real("data.alpha"), rng);
    if (partition == "quantity-skew")
      return partition_quantity_skew(samples, experiment.nodes, scenario.real("data.skew_exponent"), rng);
    return partition_contiguous(samples, experiment.nodes);
  });
  for (std::uint32_t node = 0; node < experiment.nodes; ++node)
    if (split.indices[node].empty())
      bad(scenario, "data.partition",
          fmt::format("node {} gets no samples ({} samples over {} nodes)", node, samples, experiment.nodes));
  experiment.algorithm.partition = std::move(split.indices);
}

void build_model(const Scenario& scenario, Experiment& experiment) {
  const std::string kind = scenario.text("model.kind");
  const Dataset& data = *experiment.train;
  const double l2 = scenario.real("model.l2");
  experiment.model = at_key(scenario, "model.kind", [&]() -> std::shared_ptr<const Model> {
    if (kind == "logistic") {
      if (data.num_classes != 2)
        throw std::invalid_argument(fmt::format("logistic regression needs two classes, the data has {}", data.num_classes));
      return std::make_shared<LogisticRegression>(data.dim, l2);
    }
    if (kind == "least-squares") return std::make_shared<LeastSquares>(data.dim, l2);
    if (kind == "consensus") return std::make_shared<AverageConsensus>(data.dim);
    if (data.num_classes < 2)
      throw std::invalid_argument(fmt::format("{} needs class labels; the data is a regression set", kind));
    if (kind == "softmax") return std::make_shared<SoftmaxRegression>(data.dim, data.num_classes, l2);
    std::vector<std::size_t> layers{data.dim};
    for (std::int64_t width : scenario.integers("model.hidden")) layers.push_back(static_cast<std::size_t>(width));
    layers.push_back(data.num_classes);
    return std::make_shared<Mlp>(layers, l2);
  });
}

void build_algorithm(const Scenario& scenario, Experiment& experiment) {
  const std::string kind = scenario.text("algorithm.kind");
  if (scenario.text("compression.kind") != "none")
    bad(scenario, "compression.kind",
        fmt::format("{} sends exact models; compressed algorithms (choco-sgd, ...) are not available yet", kind));
  GossipSgdConfig& config = experiment.algorithm;
  config.nodes = experiment.nodes;
  config.seed = static_cast<std::uint64_t>(scenario.integer("seed"));
  config.rounds = static_cast<std::uint64_t>(scenario.integer("stop.rounds"));
  config.learning_rate = scenario.real("algorithm.learning_rate");
  config.batch_size = static_cast<std::size_t>(scenario.integer("algorithm.batch_size"));
  config.model = experiment.model;
  config.train = experiment.train;
  config.gradient_steps = kind == "d-psgd";
  if (kind == "gossip") {
    if (scenario.text("model.kind") != "consensus")
      bad(scenario, "algorithm.kind", "gossip averages the nodes' data: set model.kind = \"consensus\"");
    // x_i^0 = the mean of node i's rows: the minimiser of its local objective.
    const Dataset& data = *experiment.train;
    config.initial_models.assign(experiment.nodes, std::vector<double>(data.dim, 0.0));
    for (std::uint32_t node = 0; node < experiment.nodes; ++node) {
      std::vector<double>& x = config.initial_models[node];
      for (std::uint32_t row : config.partition[node]) {
        if (data.is_sparse()) {
          const auto columns = data.row_columns(row);
          const auto values = data.row_values(row);
          for (std::size_t k = 0; k < columns.size(); ++k) x[columns[k]] += values[k];
        } else {
          const auto values = data.row(row);
          for (std::size_t k = 0; k < values.size(); ++k) x[k] += values[k];
        }
      }
      for (double& value : x) value /= static_cast<double>(config.partition[node].size());
    }
  }
}

std::vector<NodeId> random_nodes(std::uint32_t nodes, double fraction, std::uint64_t seed, std::string_view purpose) {
  std::vector<NodeId> order(nodes);
  std::iota(order.begin(), order.end(), 0u);
  RandomStream(seed, 0, purpose_id(purpose)).shuffle(std::span<NodeId>(order));
  order.resize(static_cast<std::size_t>(std::llround(fraction * nodes)));
  std::sort(order.begin(), order.end());
  return order;
}

void build_engine(const Scenario& scenario, Experiment& experiment, int threads) {
  EngineConfig& engine = experiment.engine;
  const std::uint32_t n = experiment.nodes;
  const auto seed = static_cast<std::uint64_t>(scenario.integer("seed"));
  engine.nodes = n;
  engine.seed = seed;
  engine.threads = threads;
  NetworkConfig& network = engine.network;
  network.model = scenario.text("network.model") == "fair" ? NetworkModel::fair : NetworkModel::fifo;
  network.latency.base = scenario.duration("network.latency");
  network.latency.spread = scenario.duration("network.latency_spread");
  if (network.latency.spread > 0) network.latency.kind = LatencyModel::Kind::uniform;
  network.latency.jitter_mean = scenario.duration("network.jitter");
  const std::int64_t bandwidth = scenario.rate_bps("network.bandwidth");
  network.uplink_bps.assign(n, scenario.has("network.uplink") ? scenario.rate_bps("network.uplink") : bandwidth);
  network.downlink_bps.assign(n, scenario.has("network.downlink") ? scenario.rate_bps("network.downlink") : bandwidth);
  network.loss_probability = scenario.real("network.loss");

  ComputeConfig& compute = engine.compute;
  compute.flops_per_second = scenario.real("compute.flops_per_second");
  compute.bytes_per_second = scenario.real("compute.bytes_per_second");
  compute.jitter_sigma = scenario.real("compute.jitter_sigma");
  const std::string speed = scenario.text("compute.speed");
  if (speed != "constant") {
    NodeDistribution distribution;
    using Kind = NodeDistribution::Kind;
    distribution.kind = speed == "uniform" ? Kind::uniform
                        : speed == "lognormal" ? Kind::lognormal
                        : speed == "two-class" ? Kind::two_class
                                               : Kind::table;
    distribution.low = scenario.real("compute.speed_low");
    distribution.high = scenario.real("compute.speed_high");
    distribution.sigma = scenario.real("compute.speed_sigma");
    distribution.fraction = scenario.real("compute.slow_fraction");
    distribution.factor = scenario.real("compute.slow_factor");
    if (distribution.kind == Kind::table) {
      if (!scenario.has("compute.speed_table")) bad(scenario, "compute.speed", "speed \"table\" needs compute.speed_table");
      distribution.table_path = scenario.text("compute.speed_table");
    }
    compute.speed_factor = at_key(scenario, distribution.kind == Kind::table ? "compute.speed_table" : "compute.speed",
                                  [&] { return sample_per_node(distribution, n, seed, purpose_id("compute.speed")); });
    for (std::uint32_t node = 0; node < n; ++node)
      if (compute.speed_factor[node] <= 0)
        bad(scenario, "compute.speed_table", fmt::format("node {} has speed factor 0", node));
  }

  FaultConfig& faults = engine.faults;
  const SimTime crash_time = scenario.duration("faults.crash_time");
  for (NodeId node : random_nodes(n, scenario.real("faults.crash_fraction"), seed, "faults.crash"))
    faults.crashes.emplace_back(node, crash_time);
  const double churn_fraction = scenario.real("faults.churn_fraction");
  if (churn_fraction > 0) {
    faults.churn_nodes = random_nodes(n, churn_fraction, seed, "faults.churn");
    if (!faults.churn_nodes.empty()) {
      faults.churn_mean_up = std::max<SimTime>(1, scenario.duration("faults.churn_mean_up"));
      faults.churn_mean_down = std::max<SimTime>(1, scenario.duration("faults.churn_mean_down"));
    }
  }
}

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
    case RunStatus::failed: return "failed";
  }
  return "failed";
}

RunSummary run_scenario(const Scenario& scenario, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  auto wall_seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  };
  Experiment experiment;
  experiment.nodes = static_cast<std::uint32_t>(scenario.integer("nodes"));
  build_topology(scenario, experiment);
  build_data(scenario, experiment);
  build_model(scenario, experiment);
  build_algorithm(scenario, experiment);
  build_engine(scenario, experiment, options.threads);

  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) throw ScenarioError(fmt::format("{}: cannot create the output folder: {}", options.out_dir, error.message()));

  nlohmann::json summary_json;
  summary_json["name"] = scenario.text("name");
  summary_json["seed"] = scenario.integer("seed");
  summary_json["version"] = DLSIM_VERSION;
  summary_json["git_revision"] = DLSIM_GIT_REVISION;
  summary_json["scenario"] = scenario_json(scenario);
  const GraphFacts facts = graph_facts(experiment.graph);
  summary_json["topology"] = {{"nodes", facts.nodes}, {"edges", facts.edges}, {"degree_max", facts.degree_max}};
  if (experiment.nodes >= 2 && experiment.nodes <= kSpectralSummaryLimit) {
    const SpectralReport spectrum = analyze_spectrum(experiment.mixing);
    summary_json["topology"]["spectral_gap"] = spectrum.spectral_gap;
    summary_json["topology"]["spectral_gap_signed"] = spectrum.spectral_gap_signed;
    summary_json["topology"]["lambda_2"] = spectrum.lambda_2;
  }

  const std::uint64_t rounds = static_cast<std::uint64_t>(scenario.integer("stop.rounds"));
  const std::uint64_t every = static_cast<std::uint64_t>(scenario.integer("metrics.every_rounds"));
  const SimTime every_time = scenario.duration("metrics.every_time");
  const SimTime time_limit = scenario.duration("stop.time");
  const SimTime wall_limit = scenario.duration("stop.wall_time");
  const bool has_accuracy = experiment.model->has_accuracy();
  std::vector<std::string> columns{"round", "time_s", "events", "messages_sent", "bits_sent",
                                   "max_node_bits_sent", "loss", "gradient_norm", "consensus_distance"};
  if (has_accuracy) {
    columns.emplace_back("train_accuracy");
    if (experiment.test) columns.emplace_back("test_accuracy");
  }
  CsvTable table(columns);

  RunSummary summary;
  summary.status = RunStatus::completed;
  const bool show_progress = !options.quiet && (options.progress || isatty(STDERR_FILENO));
  auto report = [&](const std::string& line) {
    if (options.progress) options.progress(line);
    else fmt::print(stderr, "\r\x1b[2K{}", line);
  };

  std::unique_ptr<Engine> engine;
  try {
    // By time: evaluate the nodes' current models every `every_time`; the
    // snapshots then only mark the last round. By rounds: evaluate snapshots.
    const bool by_time = every_time > 0;
    RoundSnapshots snapshots(experiment.nodes, by_time ? std::numeric_limits<std::uint64_t>::max() : every, rounds);
    GossipSgd behaviour(experiment.algorithm, snapshots);
    engine = std::make_unique<Engine>(experiment.engine);
    engine->set_behaviour_all(&behaviour);
    const SimTime horizon = time_limit > 0 ? time_limit : kNever - 1;
    SimTime next_evaluation = by_time ? 0 : kNever;

    // Adds a row; returns true when a stop condition is met (and says which).
    auto record = [&](std::span<const std::vector<double>> models, std::uint64_t round, SimTime time) {
      const ModelEvaluation evaluation =
          evaluate_models(models, *experiment.model, *experiment.train, experiment.test.get());
      const NodeCounters totals = engine->total_counters();
      std::uint64_t max_bits = 0;
      for (NodeId node = 0; node < experiment.nodes; ++node)
        max_bits = std::max(max_bits, engine->counters(node).bits_sent);
      std::vector<double> row{static_cast<double>(round), to_seconds(time),
                              static_cast<double>(engine->stats().events), static_cast<double>(totals.messages_sent),
                              static_cast<double>(totals.bits_sent), static_cast<double>(max_bits),
                              evaluation.loss, evaluation.gradient_norm, evaluation.consensus_distance};
      if (has_accuracy) {
        row.push_back(evaluation.train_accuracy);
        if (experiment.test) row.push_back(evaluation.test_accuracy);
      }
      table.add_row(row);
      for (std::size_t i = 0; i < columns.size(); ++i) summary.final[columns[i]] = row[i];
      if (options.verbose)
        fmt::print(stderr, "round {} ({:.6g} s): loss {:.6g}, consensus distance {:.3g}\n", round, to_seconds(time),
                   evaluation.loss, evaluation.consensus_distance);
      if (!std::isfinite(evaluation.loss) || !std::isfinite(evaluation.consensus_distance)) {
        summary.status = RunStatus::diverged;
        summary.message = fmt::format("the loss is not finite at round {}", round);
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
      return false;
    };

    bool done = false;
    while (!done) {
      const SimTime target = std::min(horizon, next_evaluation);
      const RunOutcome outcome = engine->run_until(target);
      if (by_time && outcome != RunOutcome::stop_requested && engine->now() >= next_evaluation) {
        std::vector<std::vector<double>> models;
        std::uint64_t slowest = rounds;
        for (NodeId node = 0; node < experiment.nodes; ++node) {
          models.emplace_back(behaviour.model(node).begin(), behaviour.model(node).end());
          slowest = std::min(slowest, behaviour.rounds_completed(node));
        }
        done = record(models, slowest, next_evaluation);
        next_evaluation += every_time;
      }
      while (!done) {
        auto snapshot = snapshots.take_ready();
        if (!snapshot) break;
        if (by_time && snapshot->round < rounds) continue;  // round 0: already evaluated at time 0
        done = record(snapshot->models, snapshot->round, snapshot->completed_at);
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
      if (outcome == RunOutcome::queue_empty) {
        summary.status = RunStatus::stopped;
        summary.message = "no events left before the last round (crashed or cut-off nodes)";
        break;
      }
      if (wall_limit > 0 && wall_seconds() * 1e9 >= static_cast<double>(wall_limit)) {
        summary.status = RunStatus::stopped;
        summary.message = fmt::format("wall-time limit {} reached", format_duration(wall_limit));
        break;
      }
      if (show_progress && table.rows() > 0)
        report(progress_text(static_cast<std::uint64_t>(summary.final["round"]), rounds, engine->now(),
                             engine->stats().events, wall_seconds()));
    }
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
  summary_json["host"] = {{"wall_seconds", summary.wall_seconds},
                          {"events_per_second", summary.wall_seconds > 0 ? static_cast<double>(summary.events) / summary.wall_seconds : 0.0},
                          {"threads", options.threads},
                          {"peak_memory_mib", static_cast<double>(peak_memory_kib()) / 1024.0}};
  summary_json["events"] = summary.events;
  const std::filesystem::path out(options.out_dir);
  write_file_atomically((out / "metrics.csv").string(), table.text());
  // The summary goes last: its presence marks a finished run.
  write_file_atomically((out / "summary.json").string(), summary_json.dump(2) + "\n");
  return summary;
}

}  // namespace dlsim
