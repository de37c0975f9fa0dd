// Building an experiment from a scenario; see experiment_builder.hpp.
#include "scenario/experiment_builder.hpp"

#include "scenario/build_support.hpp"
#include "scenario/byzantine_section.hpp"
#include "scenario/family.hpp"
#include "scenario/flat_gossip_path.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <sstream>

#include "algorithms/decentralized/flat_gossip.hpp"
#include "algorithms/decentralized/mixing_rows.hpp"
#include "compress/factory.hpp"
#include "data/csv.hpp"
#include "data/idx.hpp"
#include "data/libsvm.hpp"
#include "data/normalize.hpp"
#include "data/partition.hpp"
#include "data/synthetic.hpp"
#include "models/consensus.hpp"
#include "models/least_squares.hpp"
#include "models/logistic.hpp"
#include "models/mlp.hpp"
#include "models/nonsmooth.hpp"
#include "models/parameter_file.hpp"
#include "models/softmax.hpp"
#include "scenario/run_bounds.hpp"
#include "scenario/secure_aggregation_section.hpp"
#include "sim/heterogeneity.hpp"
#include "sim/random.hpp"
#include "sim/units.hpp"
#include "topologies/digraph.hpp"
#include "topologies/generators.hpp"
#include "topologies/graph_files.hpp"
#include "topologies/spectral.hpp"

namespace dlsim {

void fail_at_key(const Scenario& scenario, std::string_view path, std::string_view what) {
  const toml::node* node = scenario.resolved().at_path(path).node();
  const std::string where = node ? describe_location(*node, scenario.source()) : scenario.source();
  // A default has no line to point at: say that it is one, so that the file's reader knows why.
  std::string note;
  if (node != nullptr && node->source().begin.line == 0 && where == scenario.source() && !node->is_table()) {
    std::ostringstream value;
    node->visit([&](const auto& v) { value << v; });
    note = fmt::format(" ({} = {} is the default)", path, printable(value.str()));
  }
  throw ScenarioError(fmt::format("{}: {}: {}{}", where, path, what, note));
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

namespace {

// f* is computed when samples x parameters is at most this (a few seconds of L-BFGS).
constexpr double kOptimumWorkLimit = 5e7;

[[noreturn]] void bad(const Scenario& scenario, std::string_view path, std::string_view what) {
  fail_at_key(scenario, path, what);
}


// A directed kind, or a file read with topology.directed = true: the digraph's
// column-stochastic W (push-sum weights) for the algorithms that take one;
// the rest of the experiment sees the underlying undirected graph.
void build_directed_topology(const Scenario& scenario, Experiment& experiment, const std::string& kind,
                             const TopologyKind* generator) {
  const bool from_file = generator == nullptr;
  const char* const graph_key = from_file ? "topology.file" : "topology.kind";
  const Digraph digraph = at_key(scenario, graph_key, [&] {
    if (from_file) return read_digraph_file(scenario.text("topology.file"));
    ParamText params;
    for (const auto& [name, node] : scenario.section_entries("topology"))
      if (name != "kind" && name != "weights" && name != "file" && name != "directed") params[name] = toml_to_text(*node);
    return make_directed_topology(kind, experiment.nodes, params, static_cast<std::uint64_t>(scenario.integer("seed")));
  });
  const std::string name = from_file ? scenario.text("topology.file") : kind;
  if (digraph.nodes != experiment.nodes)
    bad(scenario, "nodes",
        fmt::format("the {} digraph has {} nodes but the scenario has {}", name, digraph.nodes, experiment.nodes));
  const StrongConnectivity strong = strong_connectivity(digraph);
  if (!strong.strongly_connected)
    bad(scenario, graph_key,
        fmt::format("the {} digraph is not strongly connected (node {} cannot reach node {}); push-sum mixing needs "
                    "every node to reach every other",
                    name, strong.from, strong.to));
  const std::string weights = scenario.text("topology.weights");
  if (weights != "file" && weights != "metropolis")
    bad(scenario, "topology.weights",
        fmt::format("\"{}\" is a rule for a symmetric W; a directed graph mixes uniformly over each node's "
                    "out-neighbours and itself (leave weights out) or by its file's arc weights (\"file\")",
                    weights));
  experiment.graph = underlying_graph(digraph);
  experiment.mixing = at_key(scenario, "topology.weights", [&] {
    return weights == "file" ? column_stochastic_from_arc_weights(digraph) : column_stochastic_mixing(digraph);
  });
  experiment.directed = true;
  experiment.config.mixing = fixed_directed_mixing(experiment.mixing);
}

void build_topology(const Scenario& scenario, Experiment& experiment) {
  const std::string kind = scenario.text("topology.kind");
  const TopologyKind* generator = kind == "file" ? nullptr : at_key(scenario, "topology.kind", [&] {
    return &find_topology_kind(kind);
  });
  if (scenario.boolean("topology.directed") && generator && !generator->directed())
    bad(scenario, "topology.directed",
        fmt::format("applies to a graph file (topology.kind = \"file\"); the {} generator is undirected (the "
                    "directed kinds are directed-ring and directed-exponential)", kind));
  if (kind == "file" && !scenario.has("topology.file")) bad(scenario, "topology.kind", "kind \"file\" needs topology.file");
  const std::string weights = scenario.text("topology.weights");
  if (weights == "file" && kind != "file")
    bad(scenario, "topology.weights",
        fmt::format("\"file\" takes W from the edge weights of topology.file; the {} generator has none (set "
                    "topology.kind = \"file\" or a mixing rule)", kind));
  if ((generator && generator->directed()) || (!generator && scenario.boolean("topology.directed"))) {
    build_directed_topology(scenario, experiment, kind, generator);
    return;
  }
  if (builds_flat_graph(scenario)) {
    // The flat gossip path at scale: no adjacency list, no W matrix, no rows.
    experiment.flat_mixing = std::make_shared<const FlatMixing>(at_key(scenario, "topology.kind", [&] {
      if (kind == "ring") return metropolis_ring_mixing(experiment.nodes);
      return metropolis_regular_mixing(
          random_regular_neighbour_table(experiment.nodes, static_cast<std::size_t>(scenario.integer("topology.d")),
                                         static_cast<std::uint64_t>(scenario.integer("seed"))));
    }));
    if (!is_connected(experiment.flat_mixing->graph))
      bad(scenario, "topology.kind",
          fmt::format("the {} graph is disconnected; {} needs a connected graph", kind,
                      scenario.text("algorithm.kind")));
    return;
  }
  if (kind == "file") {
    experiment.graph = at_key(scenario, "topology.file",
                              [&] { return read_graph_file(scenario.text("topology.file")); });
  } else {
    ParamText params;
    for (const auto& [name, node] : scenario.section_entries("topology"))
      if (name != "kind" && name != "weights" && name != "file" && name != "directed") params[name] = toml_to_text(*node);
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
    if (weights == "file") return mixing_matrix_from_edge_weights(experiment.graph);
    return mixing_matrix(experiment.graph, parse_mixing_rule(weights));
  });
  if (takes_flat_gossip(scenario)) {  // W's rows as flat arrays instead of a MixingRow per node
    experiment.flat_mixing = std::make_shared<const FlatMixing>(flat_mixing(experiment.mixing));
    return;
  }
  const bool time_varying = generator && generator->time_varying && scenario.integer("topology.round") == -1;
  if (time_varying) {
    const std::size_t period = one_peer_exponential_period(experiment.nodes);
    for (std::size_t round = 0; round < period; ++round)
      experiment.config.mixing.period.push_back(mixing_rows(one_peer_exponential_mixing(experiment.nodes, round)));
  } else {
    experiment.config.mixing.period.push_back(mixing_rows(experiment.mixing));
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
  // A regression model reads a file's targets as numbers, however integral
  // they look; a classifier lets the labels decide (infer_label_map).
  const std::string model_kind = scenario.text("model.kind");
  std::optional<LabelMap> model_label_map;
  if (model_kind == "least-squares" || model_kind == "consensus") model_label_map = LabelMap{};
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
    train = at_key(scenario, "data.path", [&] {
      LibsvmOptions options;
      options.label_map = model_label_map;
      return load_libsvm(required_path("data.path"), options);
    });
    // The test set takes the training set's dimension and label mapping: one
    // raw label is one class in both, whatever subset of classes each file holds.
    if (scenario.has("data.test_path"))
      test = at_key(scenario, "data.test_path", [&] {
        return load_libsvm(scenario.text("data.test_path"), LibsvmOptions{train.dim, false, train.label_map});
      });
  } else if (source == "csv") {
    train = at_key(scenario, "data.path", [&] {
      CsvOptions options;
      options.label_map = model_label_map;
      return load_csv(required_path("data.path"), options);
    });
    if (scenario.has("data.test_path")) {
      test = at_key(scenario, "data.test_path", [&] {
        CsvOptions options;
        options.label_map = train.label_map;
        return load_csv(scenario.text("data.test_path"), options);
      });
      if (test.dim != train.dim)
        bad(scenario, "data.test_path",
            fmt::format("{} has {} features, the training set {}", test.name, test.dim, train.dim));
    }
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
  if (reads_contiguous_ranges(scenario) && samples >= experiment.nodes) {
    experiment.contiguous_ranges = true;  // no index list per node
    return;
  }
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
  experiment.config.batches.partition = std::move(split.indices);
}

void build_model(const Scenario& scenario, Experiment& experiment) {
  const std::string kind = scenario.text("model.kind");
  const Dataset& data = *experiment.train;
  const double l2 = scenario.real("model.l2");
  experiment.model = at_key(scenario, "model.kind", [&]() -> std::shared_ptr<const Model> {
    if (kind == "logistic") {
      if (data.num_classes == 0)
        throw std::invalid_argument(fmt::format(
            "logistic regression needs two classes; the labels of {} are not all integers (a regression set)",
            data.name));
      if (data.num_classes != 2)
        throw std::invalid_argument(fmt::format("logistic regression needs exactly two distinct labels; {} has {}{}",
                                                data.name, data.num_classes,
                                                data.label_map.regression() ? ""
                                                    : " (" + data.label_map.describe() + ")"));
      return std::make_shared<LogisticRegression>(data.dim, l2);
    }
    if (kind == "least-squares") return std::make_shared<LeastSquares>(data.dim, l2);
    if (kind == "consensus") return std::make_shared<AverageConsensus>(data.dim);
    if (kind == "nonsmooth-counterexample") return std::make_shared<NonsmoothExample>();
    if (data.num_classes < 2)
      throw std::invalid_argument(fmt::format("{} needs class labels; the data is a regression set", kind));
    if (kind == "softmax") return std::make_shared<SoftmaxRegression>(data.dim, data.num_classes, l2);
    std::vector<std::size_t> layers{data.dim};
    for (std::int64_t width : scenario.integers("model.hidden")) layers.push_back(static_cast<std::size_t>(width));
    layers.push_back(data.num_classes);
    return std::make_shared<Mlp>(layers, l2);
  });
}

}  // namespace

ParamValue toml_to_param(const toml::node& node) {
  if (node.is_boolean()) return *node.value<bool>();
  if (node.is_integer()) return *node.value<std::int64_t>();
  if (node.is_floating_point()) return *node.value<double>();
  return toml_to_text(node);
}

std::optional<std::vector<double>> chosen_initial_model(const Scenario& scenario, const Model& model) {
  const bool has_point = scenario.has("model.initial_point");
  const toml::node& init = *scenario.resolved().at_path("model.init").node();  // has a default
  const bool is_auto = init.is_string() && *init.value<std::string>() == "auto";
  if (has_point && !is_auto)
    bad(scenario, "model.initial_point", "give model.init or model.initial_point (its older spelling), not both");
  if (is_auto && !has_point) return std::nullopt;
  const std::string key = has_point ? "model.initial_point" : "model.init";
  std::vector<double> x;
  if (init.is_string() && !has_point) {
    const std::string mode = *init.value<std::string>();
    if (mode == "zeros") return std::vector<double>(model.dimension(), 0.0);
    if (mode == "random") {
      x.assign(model.dimension(), 0.0);
      RandomStream stream(static_cast<std::uint64_t>(scenario.integer("seed")), 0, purpose_id("model.init"));
      model.initialize_random(x, stream);
      return x;
    }
    constexpr std::string_view kFile = "file:";
    if (!mode.starts_with(kFile) || mode.size() == kFile.size())
      bad(scenario, key, "expected \"auto\", \"zeros\", \"random\", \"file:PATH\" or a list of numbers");
    return at_key(scenario, key, [&] { return read_parameter_file(mode.substr(kFile.size()), model.dimension()); });
  }
  x = scenario.reals(key);
  if (x.size() != model.dimension())
    fail_at_key(scenario, key,
                fmt::format("{} values for the {} parameters of {}", x.size(), model.dimension(), model.name()));
  for (double value : x)
    if (!std::isfinite(value)) fail_at_key(scenario, key, "values must be finite");
  return x;
}

LocalOptimizerConfig build_optimizer(const Scenario& scenario) {
  LocalOptimizerConfig optimizer;
  LearningRateSchedule& schedule = optimizer.schedule;
  schedule.kind = parse_schedule(scenario.text("algorithm.schedule"));
  schedule.base = scenario.real("algorithm.learning_rate");
  schedule.decay_factor = scenario.real("algorithm.decay_factor");
  schedule.decay_every = static_cast<std::uint64_t>(scenario.integer("algorithm.decay_every"));
  schedule.offset = scenario.real("algorithm.decay_offset");
  schedule.warmup_rounds = static_cast<std::uint64_t>(scenario.integer("algorithm.warmup_rounds"));
  optimizer.momentum = scenario.real("algorithm.momentum");
  optimizer.nesterov = scenario.boolean("algorithm.nesterov");
  optimizer.weight_decay = scenario.real("algorithm.weight_decay");
  at_key(scenario, optimizer.nesterov ? "algorithm.nesterov" : "algorithm.schedule", [&] {
    validate(optimizer);
    return 0;
  });
  return optimizer;
}

namespace {

// The compressor named by [compression], or null for exact messages; checked
// against what the algorithm accepts.
std::shared_ptr<const Compressor> build_compressor(const Scenario& scenario, const AlgorithmKind& algorithm,
                                                   std::size_t dimension) {
  const std::string kind = scenario.text("compression.kind");
  if (kind == "none") return nullptr;
  if (!algorithm.compresses) {
    std::string compressing;
    for (const AlgorithmKind& other : decentralized_algorithms())
      if (other.compresses) compressing += (compressing.empty() ? "" : ", ") + std::string(other.name);
    bad(scenario, "compression.kind",
        fmt::format("{} sends exact models; the algorithms that compress are: {}", algorithm.name, compressing));
  }
  ParamMap params;
  for (const auto& [name, node] : scenario.section_entries("compression"))
    if (name != "kind") params[name] = toml_to_param(*node);
  std::shared_ptr<const Compressor> compressor =
      at_key(scenario, "compression.kind", [&] { return std::shared_ptr<const Compressor>(make_compressor(kind, params)); });
  if (algorithm.unbiased_only && !compressor->traits(dimension).unbiased)
    bad(scenario, "compression.kind",
        fmt::format("{} needs an unbiased compressor (Tang et al. 2018), and {} is biased; use e.g. qsgd, natural, "
                    "rand-k with scaled = true, or low-precision with stochastic = true",
                    algorithm.name, compressor->name()));
  return compressor;
}

// [byzantine] and algorithm.robust_gossip for the synchronous gossip kinds:
// who is Byzantine, their attack, silent nodes cut out of the rows, label-flip's
// poisoned data, and the robust combination honest nodes use.
void build_byzantine(const Scenario& scenario, Experiment& experiment) {
  const AlgorithmKind& algorithm = *experiment.algorithm;
  DecentralizedConfig& config = experiment.config;
  RobustGossipConfig& robust = config.robust;
  robust.kind = parse_robust_gossip(scenario.text("algorithm.robust_gossip"));
  robust.trim = static_cast<std::size_t>(scenario.integer("algorithm.trim"));
  robust.clip_radius = scenario.real("algorithm.clip_radius");
  if (robust.kind != RobustGossipKind::none && !algorithm.robust_gossip)
    bad(scenario, "algorithm.robust_gossip",
        fmt::format("{} does not combine robustly; robust gossip is for gossip and d-psgd", algorithm.name));
  if (robust.kind != RobustGossipKind::none) {
    experiment.byzantine_defence = std::string(robust_gossip_name(robust.kind));
    if (robust.kind == RobustGossipKind::trimmed_mean)
      experiment.byzantine_defence += fmt::format("(trim={})", robust.trim);
    if (robust.kind == RobustGossipKind::clipped)
      experiment.byzantine_defence += robust.clip_radius > 0 ? fmt::format("(clip_radius={})", robust.clip_radius)
                                                             : fmt::format("(adaptive, trim={})", robust.trim);
  } else {
    experiment.byzantine_defence = "none";
  }

  if (byzantine_requested(scenario) && !algorithm.byzantine)
    bad(scenario, byzantine_key(scenario),
        fmt::format("{} does not simulate Byzantine nodes; the synchronous gossip kinds do (gossip, d-psgd)",
                    algorithm.name));
  std::vector<std::size_t> degrees(experiment.nodes);
  for (std::uint32_t node = 0; node < experiment.nodes; ++node)
    degrees[node] = experiment.flat_mixing ? experiment.flat_mixing->graph.degree(node) : boost::degree(node, experiment.graph);
  const ByzantineChoice choice = read_byzantine(scenario, experiment.nodes, degrees);
  config.byzantine = choice.nodes;
  config.attack = choice.attack;
  experiment.byzantine = choice.nodes;
  experiment.byzantine_placement = choice.placement;
  experiment.byzantine_attack = describe_attack(choice.attack);
  if (!choice.nodes.empty()) {
    const AttackKind kind = choice.attack.kind;
    if (kind == AttackKind::dissensus && !choice.attack.omniscient)
      bad(scenario, "byzantine.omniscient",
          "dissensus needs omniscient = true (it depends on what each receiver gets from its honest neighbours)");
    if (kind == AttackKind::none) config.mixing = without_silent_nodes(config.mixing, config.byzantine);
    if (kind == AttackKind::label_flip) {
      if (!algorithm.uses_gradients)
        bad(scenario, "byzantine.attack", fmt::format("label-flip poisons training labels, and {} trains nothing", algorithm.name));
      config.batches.data = at_key(scenario, "byzantine.attack", [&] {
        return std::make_shared<const Dataset>(
            with_flipped_labels(*experiment.train, config.batches.partition, config.byzantine));
      });
    }
  }
  if (robust.kind == RobustGossipKind::trimmed_mean)
    for (const auto& rows : config.mixing.period)
      for (std::uint32_t node = 0; node < experiment.nodes; ++node)
        if (rows[node].neighbours.size() + 1 <= 2 * robust.trim)
          bad(scenario, "algorithm.trim",
              fmt::format("node {} has {} neighbours; trimming {} per side needs more than {}", node,
                          rows[node].neighbours.size(), robust.trim, 2 * robust.trim - 1));
}

// algorithm.round_timeout and algorithm.rejoin, and the metric columns of the timeouts.
void build_round_timeout(const Scenario& scenario, Experiment& experiment) {
  const AlgorithmKind& algorithm = *experiment.algorithm;
  DecentralizedConfig& config = experiment.config;
  const bool average = scenario.text("algorithm.rejoin") == "average";
  if (!scenario.has("algorithm.round_timeout")) {
    if (average)
      bad(scenario, "algorithm.rejoin", "a node resumes after an outage only with algorithm.round_timeout");
    return;
  }
  if (!algorithm.synchronous)
    bad(scenario, "algorithm.round_timeout",
        fmt::format("{} has no rounds to time out (its exchanges use algorithm.reply_timeout)", algorithm.name));
  if (algorithm.lockstep_edges)
    bad(scenario, "algorithm.round_timeout",
        fmt::format("{} needs both ends of every edge in every round (their power-iteration directions must "
                    "agree); leave the timeout out",
                    algorithm.name));
  config.round_timeout = scenario.duration("algorithm.round_timeout");
  if (config.round_timeout <= 0)
    bad(scenario, "algorithm.round_timeout", "must be positive (leave it out to wait for ever)");
  if (average && !algorithm.rejoin_average)
    bad(scenario, "algorithm.rejoin",
        fmt::format("\"average\" needs messages that carry models; {} sends increments or steps gamma towards "
                    "them (use \"keep\")",
                    algorithm.name));
  config.rejoin = average ? RejoinModel::average : RejoinModel::keep;
  experiment.metric_columns = RoundBasedAlgorithm::timeout_metric_columns();
}

// Relaxed gossip, gamma > 1: x <- x + gamma (W - I) x has eigenvalues
// 1 + gamma (lambda - 1), which stay in (-1, 1] for every eigenvalue lambda of
// W exactly when gamma < 2 / (1 - lambda_min(W)). Only for the kinds whose
// update is that iteration (gossip; choco-gossip with exact messages), on a
// fixed W whose spectrum is known.
void check_relaxation(const Scenario& scenario, const Experiment& experiment, const AlgorithmKind& algorithm) {
  const DecentralizedConfig& config = experiment.config;
  if (!algorithm.relaxed_gamma)
    bad(scenario, "algorithm.gamma",
        fmt::format("{} is above 1, which {} does not take (over-relaxation is for gossip and choco-gossip with "
                    "exact messages)", config.gamma, algorithm.name));
  if (config.compressor)
    bad(scenario, "algorithm.gamma",
        fmt::format("{} above 1 needs exact messages (compression.kind = \"none\"); CHOCO with a compressor "
                    "needs gamma in (0, 1]", config.gamma));
  if (config.mixing.time_varying())
    bad(scenario, "algorithm.gamma",
        fmt::format("{} above 1 needs a fixed W (its stability bound is W's); the {} topology changes every round",
                    config.gamma, scenario.text("topology.kind")));
  const SpectralReport spectrum = analyze_spectrum(experiment.mixing);
  const double bound = 2.0 / (1.0 - spectrum.lambda_min);
  // The bound itself does not converge (the lambda_min mode keeps its size);
  // lambda_min carries rounding, so gamma must clear it by a relative 1e-9.
  if (!(config.gamma < bound * (1 - 1e-9)))
    bad(scenario, "algorithm.gamma",
        fmt::format("{} is not below the stability bound 2 / (1 - lambda_min(W)) = {:.6g} of this W (lambda_min = "
                    "{:.6g}): gossip would not converge", config.gamma, bound, spectrum.lambda_min));
}

// algorithm.momentum_kind and quasi_global_mu, on top of the shared local optimiser.
void build_momentum_kind(const Scenario& scenario, const AlgorithmKind& algorithm, LocalOptimizerConfig& optimizer) {
  const bool quasi_global = scenario.text("algorithm.momentum_kind") == "quasi-global";
  if (!quasi_global) {
    if (scenario.has("algorithm.quasi_global_mu"))
      bad(scenario, "algorithm.quasi_global_mu", "is read only with momentum_kind = \"quasi-global\"");
    return;
  }
  if (!algorithm.quasi_global_momentum)
    bad(scenario, "algorithm.momentum_kind",
        fmt::format("{} has no quasi-global momentum (d-psgd has, in either order)", algorithm.name));
  if (!(optimizer.momentum > 0))
    bad(scenario, "algorithm.momentum_kind", "\"quasi-global\" needs algorithm.momentum > 0 (its beta)");
  if (optimizer.nesterov)
    bad(scenario, "algorithm.nesterov", "Nesterov momentum is not defined with momentum_kind = \"quasi-global\"");
  optimizer.momentum_kind = MomentumKind::quasi_global;
  if (scenario.has("algorithm.quasi_global_mu")) optimizer.quasi_global_mu = scenario.real("algorithm.quasi_global_mu");
  at_key(scenario, "algorithm.momentum_kind", [&] {
    validate(optimizer);
    return 0;
  });
}

void build_algorithm(const Scenario& scenario, Experiment& experiment) {
  const AlgorithmKind& algorithm = *at_key(scenario, "algorithm.kind", [&] {
    return &find_decentralized_algorithm(scenario.text("algorithm.kind"));
  });
  experiment.algorithm = &algorithm;
  DecentralizedConfig& config = experiment.config;
  config.nodes = experiment.nodes;
  config.seed = static_cast<std::uint64_t>(scenario.integer("seed"));
  config.rounds = static_cast<std::uint64_t>(scenario.integer("stop.rounds"));
  config.batch_size = static_cast<std::size_t>(scenario.integer("algorithm.batch_size"));
  config.model = experiment.model;
  config.batches.data = experiment.train;
  config.optimizer = build_optimizer(scenario);
  config.compressor = build_compressor(scenario, algorithm, experiment.model->dimension());

  if (scenario.is_auto("algorithm.gamma")) {
    experiment.gamma_auto = algorithm.uses_gamma;
  } else {
    config.gamma = scenario.real("algorithm.gamma");
  }
  config.local_steps = static_cast<std::uint64_t>(scenario.integer("algorithm.local_steps"));
  if (config.local_steps != 1 && !algorithm.uses_local_steps)
    bad(scenario, "algorithm.local_steps", fmt::format("{} takes no local steps (local-sgd does)", algorithm.name));
  config.choco_variant = parse_choco_variant(scenario.text("algorithm.variant"));
  if (experiment.directed && !algorithm.directed)
    bad(scenario, "algorithm.kind",
        fmt::format("{} needs a symmetric W, and the {} graph is directed (its W is column stochastic): use push-sum "
                    "or sgp", algorithm.name, scenario.text("topology.kind")));
  config.overlap = static_cast<std::uint64_t>(scenario.integer("algorithm.overlap"));
  if (config.overlap != 0 && algorithm.name != "sgp")
    bad(scenario, "algorithm.overlap",
        fmt::format("{}: the number of rounds a message may be late is sgp's (overlap SGP); {} waits for every "
                    "round's messages", config.overlap, algorithm.name));
  config.order = parse_gossip_order(scenario.text("algorithm.order"));
  if (config.order != GossipOrder::overlapped && !algorithm.gossip_order)
    bad(scenario, "algorithm.order",
        fmt::format("{} has no choice of order (d-psgd has: overlapped or gradient-then-gossip)", algorithm.name));
  build_momentum_kind(scenario, algorithm, config.optimizer);
  if (config.mixing.time_varying() && !algorithm.time_varying)
    bad(scenario, "topology.kind",
        fmt::format("{} needs a fixed graph; the {} topology changes every round", algorithm.name,
                    scenario.text("topology.kind")));

  if (!experiment.gamma_auto && config.gamma > 1) check_relaxation(scenario, experiment, algorithm);
  if (algorithm.needs_lambda_min_above_minus_third) {
    const double lambda_min = analyze_spectrum(experiment.mixing).lambda_min;
    // Per eigenvalue lambda of W, D^2's x^{t+1} = W (2 x^t - x^{t-1}) has the roots lambda +- sqrt(lambda^2 -
    // lambda), inside the unit circle only for lambda > -1/3; lambda_min carries rounding: clear it by 1e-9.
    if (!(lambda_min > -1.0 / 3.0 + 1e-9))
      bad(scenario, "topology.weights",
          fmt::format("d2 needs every eigenvalue of W above -1/3, and lambda_min(W) = {:.6g}: use lazy weights "
                      "(e.g. \"lazy-metropolis\") or exact-diffusion, which mixes with (I + W) / 2",
                      lambda_min));
  }

  if (std::optional<std::vector<double>> start = chosen_initial_model(scenario, *experiment.model)) {
    if (!algorithm.uses_gradients)
      bad(scenario, scenario.has("model.initial_point") ? "model.initial_point" : "model.init",
          fmt::format("{} starts every node from the mean of its own data", algorithm.name));
    config.initial_models.assign(experiment.nodes, *start);
  }
  if (!algorithm.uses_gradients) {
    if (scenario.text("model.kind") != "consensus")
      bad(scenario, "algorithm.kind",
          fmt::format("{} averages the nodes' data: set model.kind = \"consensus\"", algorithm.name));
    // x_i^0 = the mean of node i's rows: the minimiser of its local objective.
    const Dataset& data = *experiment.train;
    auto add_row = [&](std::uint32_t row, std::span<double> x) {
      if (data.is_sparse()) {
        const auto columns = data.row_columns(row);
        const auto values = data.row_values(row);
        for (std::size_t k = 0; k < columns.size(); ++k) x[columns[k]] += values[k];
      } else {
        const auto values = data.row(row);
        for (std::size_t k = 0; k < values.size(); ++k) x[k] += values[k];
      }
    };
    if (experiment.flat_mixing) {
      // The same sums, in the same order, into one array.
      std::vector<double>& flat = experiment.flat_initial_models;
      flat.assign(std::size_t{experiment.nodes} * data.dim, 0.0);
      const std::size_t samples = data.size();
      for (std::uint32_t node = 0; node < experiment.nodes; ++node) {
        const std::span<double> x(flat.data() + std::size_t{node} * data.dim, data.dim);
        std::size_t count = 0;
        if (experiment.contiguous_ranges) {
          // partition_contiguous's cut: node i holds [i s / n, (i + 1) s / n).
          const std::size_t begin = std::size_t{node} * samples / experiment.nodes;
          const std::size_t end = (std::size_t{node} + 1) * samples / experiment.nodes;
          for (std::size_t row = begin; row < end; ++row) add_row(static_cast<std::uint32_t>(row), x);
          count = end - begin;
        } else {
          for (std::uint32_t row : config.batches.partition[node]) add_row(row, x);
          count = config.batches.partition[node].size();
        }
        for (double& value : x) value /= static_cast<double>(count);
      }
      config.batches.partition = {};  // read: the index lists are not needed any more
    } else {
      config.initial_models.assign(experiment.nodes, std::vector<double>(data.dim, 0.0));
      for (std::uint32_t node = 0; node < experiment.nodes; ++node) {
        std::vector<double>& x = config.initial_models[node];
        for (std::uint32_t row : config.batches.partition[node]) add_row(row, x);
        for (double& value : x) value /= static_cast<double>(config.batches.partition[node].size());
      }
    }
  }
  // DP-SGD for every gradient: each node takes local_steps per round (1 but for local-sgd).
  if (scenario.text("privacy.mechanism") == "local-dp") {
    // Local DP on messages: each node sends its model once a round (local-sgd: every local_steps rounds).
    if (!algorithm.model_messages)
      bad(scenario, "privacy.mechanism",
          fmt::format("local-dp noises messages that are the sender's model (gossip, d-psgd, local-sgd); {} sends "
                      "something else",
                      algorithm.name));
    if (config.compressor)
      bad(scenario, "compression.kind", "local-dp noises the exact model; compressing the noised model is not modelled");
    if (byzantine_requested(scenario))
      bad(scenario, byzantine_key(scenario), "local-dp is not combined with Byzantine nodes");
    const std::uint64_t messages =
        algorithm.uses_local_steps ? (config.rounds + config.local_steps - 1) / config.local_steps : config.rounds;
    experiment.privacy = read_message_privacy(scenario, experiment.nodes, messages, std::string(algorithm.name),
                                              "model (a clipped change since the previous message)");
    config.message_privacy = experiment.privacy.message;
  } else {
    experiment.privacy = read_privacy(scenario, config.batches.partition, config.batch_size,
                                      config.rounds * config.local_steps, algorithm.uses_gradients,
                                      static_cast<bool>(config.batches.generate), std::string(algorithm.name));
    config.privacy = experiment.privacy.sample;
  }
  refuse_secure_aggregation(scenario, std::string(algorithm.name));
  // Tuning gamma runs trials on the private data, which the accountant would have to charge too.
  if (experiment.gamma_auto && experiment.privacy.active())
    bad(scenario, "algorithm.gamma",
        fmt::format("\"auto\" tunes {} on the nodes' private data before the run; give gamma with [privacy]",
                    algorithm.name));
  build_round_timeout(scenario, experiment);
  build_byzantine(scenario, experiment);
  // Catch what the algorithm itself refuses (e.g. gamma outside (0, 1]) now, as bad input.
  at_key(scenario, "algorithm.kind", [&] {
    if (experiment.flat_mixing)
      check_flat_gossip(FlatGossipConfig{experiment.flat_mixing, experiment.model->dimension(), config.rounds,
                                         config.gamma, {}});
    else
      algorithm.make(config, nullptr);
    return 0;
  });
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
  // The flat gossip path knows what each node sent (FlatGossip::max_node_bits_sent).
  engine.per_node_counters = !experiment.flat_mixing;
  NetworkConfig& network = engine.network;
  network.model = scenario.text("network.model") == "fair" ? NetworkModel::fair : NetworkModel::fifo;
  network.latency.base = scenario.duration("network.latency");
  network.latency.spread = scenario.duration("network.latency_spread");
  if (network.latency.spread > 0) network.latency.kind = LatencyModel::Kind::uniform;
  if (network.latency.spread > kLatestTime - network.latency.base)
    bad(scenario, "network.latency_spread",
        "latency + latency_spread is beyond the simulated clock's range (int64 nanoseconds, about 292 years)");
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
    // The key whose value is wrong when the factors are: the one each distribution reads.
    const char* const key = distribution.kind == Kind::table       ? "compute.speed_table"
                            : distribution.kind == Kind::uniform   ? "compute.speed_low"
                            : distribution.kind == Kind::lognormal ? "compute.speed_sigma"
                                                                   : "compute.slow_factor";
    compute.speed_factor = at_key(scenario, key,
                                  [&] { return sample_per_node(distribution, n, seed, purpose_id("compute.speed")); });
    for (std::uint32_t node = 0; node < n; ++node)
      if (!(compute.speed_factor[node] > 0) || !std::isfinite(compute.speed_factor[node]))
        bad(scenario, key,
            fmt::format("node {} gets speed factor {} (a factor must be positive and finite{})", node,
                        compute.speed_factor[node],
                        distribution.kind == Kind::lognormal ? ": exp(sigma * z) overflows for so large a sigma" : ""));
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

// Where messages can be lost, an asynchronous node waits for a reply at most
// algorithm.reply_timeout; the default is 10 round trips of one exchange
// over the slowest link (latency, jitter mean, serialization both ways).
void set_reply_timeout(const Scenario& scenario, Experiment& experiment) {
  const EngineConfig& engine = experiment.engine;
  const bool lossy = engine.network.loss_probability > 0 || !engine.faults.crashes.empty() ||
                     engine.faults.churn_mean_up > 0;
  if (!lossy) return;
  SimTime timeout = scenario.duration("algorithm.reply_timeout");
  if (timeout == 0) {
    const LatencyModel& latency = engine.network.latency;
    SimTime slowest_link = latency.base + (latency.kind == LatencyModel::Kind::uniform ? latency.spread : 0);  // checked above
    for (const auto& [link, value] : latency.per_link) slowest_link = std::max(slowest_link, value);
    std::int64_t slowest_nic = 0;  // bit/s; 0: unlimited
    for (const auto* rates : {&engine.network.uplink_bps, &engine.network.downlink_bps})
      for (std::int64_t rate : *rates)
        if (rate > 0 && (slowest_nic == 0 || rate < slowest_nic)) slowest_nic = rate;
    const std::int64_t bits = kVectorMessageHeaderBits + 64 * static_cast<std::int64_t>(experiment.model->dimension());
    const double one_way = static_cast<double>(slowest_link) + static_cast<double>(latency.jitter_mean) +
                           (slowest_nic > 0 ? static_cast<double>(transfer_duration(bits, slowest_nic)) : 0.0);
    timeout = std::max<SimTime>(kMicrosecond, checked_duration(std::min(20.0 * one_way, 1e18), "algorithm.reply_timeout"));
  }
  experiment.config.reply_timeout = timeout;
}

}  // namespace

std::optional<std::string> optimum_skipped(const Scenario& scenario, const Experiment& experiment) {
  if (!scenario.boolean("metrics.optimum")) return std::string();
  if (scenario.text("model.kind") == "mlp") return std::string("not computed: the MLP's loss is not convex");
  if (scenario.text("model.kind") == "nonsmooth-counterexample")
    return std::string("not computed: f* = 0 at the origin (the loss is the suboptimality)");
  const double work = static_cast<double>(experiment.train->size()) * static_cast<double>(experiment.model->dimension());
  if (work > kOptimumWorkLimit)
    return fmt::format("not computed: samples x parameters = {:.3g} > {:.3g}", work, kOptimumWorkLimit);
  return std::nullopt;
}

void check_optimum_available(const Scenario& scenario, const Experiment& experiment) {
  const std::optional<std::string> skipped = optimum_skipped(scenario, experiment);
  if (!skipped) return;
  for (const char* key : {"stop.target_suboptimality", "metrics.target_suboptimality"})
    if (scenario.has(key))
      fail_at_key(scenario, key,
                  skipped->empty() ? std::string("needs f*: set metrics.optimum = true")
                                   : fmt::format("needs f*, which is {}", *skipped));
}

void check_experiment(const Scenario& scenario) {
  const Experiment experiment = build_experiment(scenario, 1);
  check_optimum_available(scenario, experiment);
}

const AlgorithmFamily& decentralized_family() {
  static const AlgorithmFamily family = [] {
    AlgorithmFamily decentralized;
    decentralized.name = "decentralized";
    for (const AlgorithmKind& kind : decentralized_algorithms())
      decentralized.kinds.emplace_back(std::string(kind.name), std::string(kind.help));
    decentralized.keys = {
        key_spec("gamma", ValueType::real_or_auto, "\"auto\"",
                 "consensus step size of choco-*, q1-gossip and q2-gossip, in (0, 1]; \"auto\": the best of a grid "
                 "on a prefix of the run (see tune_rounds), recorded in the summary; gossip and choco-gossip with "
                 "exact messages: relaxation x <- x + gamma (W - I) x, above 1 up to (below) the stability bound "
                 "2 / (1 - lambda_min(W)) that summary.json reports (gossip: 1 when \"auto\")",
                 1e-12),
        key_spec("tune_rounds", ValueType::integer, "0",
                 "gamma = \"auto\": rounds of each trial run (0: a tenth of stop.rounds, at least 20)", 0),
        choice_spec("variant", {"icml2019", "iclr2020"}, "icml2019",
                    "choco-sgd: icml2019 (gradient, then gossip on the new x_hat) or iclr2020 (gossip on the "
                    "previous round's x_hat, so the next gradient overlaps communication)"),
        choice_spec("order", {"overlapped", "gradient-then-gossip"}, "overlapped",
                    "d-psgd: overlapped (x <- W x - eta d(x), the gradient computed while the models travel) or "
                    "gradient-then-gossip (x <- W (x - eta d(x)), the order of D-PSGD's analysis; a round then "
                    "takes gradient + communication)"),
        choice_spec("momentum_kind", {"heavy-ball", "quasi-global"}, "heavy-ball",
                    "with momentum > 0: heavy-ball (each node's buffer of its own gradients, or nesterov) or "
                    "quasi-global (d-psgd: the buffer of the node's model change over the round, gossip "
                    "included, m <- mu m + (1 - mu) (x^t - x^{t+1}) / eta; Lin, Karimireddy, Stich, Jaggi, ICML "
                    "2021)"),
        key_spec("quasi_global_mu", ValueType::real, "",
                 "momentum_kind = \"quasi-global\": mu, the averaging factor of the buffer, in [0, 1) (leave out: "
                 "mu = momentum, the paper's choice; 0 on one node is heavy ball exactly)",
                 0, 0.999999999),
        choice_spec("robust_gossip", {"none", "trimmed-mean", "median", "clipped"}, "none",
                    "gossip, d-psgd: how honest nodes combine their neighbours' models: plain W average; BRIDGE's "
                    "coordinate-wise trimmed mean or median over the neighbourhood with self (Yang & Bajwa 2019); "
                    "ClippedGossip, self-centred clipping (He, Karimireddy, Jaggi 2022)"),
        key_spec("trim", ValueType::integer, "1",
                 "robust_gossip: b, values trimmed per side by trimmed-mean; Byzantine neighbours assumed by "
                 "clipped's adaptive radius",
                 0),
        key_spec("clip_radius", ValueType::real, "0.0",
                 "robust_gossip = \"clipped\": fixed clipping radius tau (> 0), or 0 for the adaptive radius", 0),
        key_spec("reply_timeout", ValueType::duration, "\"0s\"",
                 "ad-psgd, where messages can be lost (network.loss, crashes, churn): how long a node waits for its "
                 "peer's reply before it takes its gradient step alone (0s: 10 round trips of one exchange over the "
                 "slowest link)"),
        key_spec("round_timeout", ValueType::duration, "",
                 "synchronous kinds (all but ad-psgd): a node ready to mix that has not heard from every neighbour "
                 "this long completes the round with the messages it has, the missing weights going to w_ii; late "
                 "messages are dropped and counted, and a node back from a churn outage catches up (leave out: "
                 "wait for ever)"),
        key_spec("overlap", ValueType::integer, "0",
                 "sgp: tau, the rounds a message may be late (overlap SGP): a round-t message is mixed in round "
                 "t + tau, so a node waits only for in-neighbours more than tau rounds behind (0: SGP, which waits "
                 "for each round's messages)",
                 0, 1000000),
        choice_spec("flat_gossip", {"auto", "off"}, "auto",
                    "gossip with model.kind = \"consensus\": \"auto\" runs it on flat arrays (bit-identical "
                    "results, under 400 bytes a node on a 10^7-node ring) whenever the scenario has no compression, "
                    "robust gossip, Byzantine nodes, privacy, round timeout, loss, crashes, churn, time-varying or "
                    "directed graph (summary.json then says \"flat_gossip\": true); \"off\" keeps the general path"),
        choice_spec("rejoin", {"keep", "average"}, "keep",
                    "with round_timeout: a node back from an outage keeps its model, or takes the average of the "
                    "models its neighbours send in the round it catches up to (gossip, d-psgd, diging, local-sgd)")};
    decentralized.sections = {"topology"};
    decentralized.byzantine = true;
    decentralized.build = [](const Scenario& scenario, Experiment& experiment) {
      build_topology(scenario, experiment);
      build_algorithm(scenario, experiment);
      experiment.evaluated_models = experiment.nodes;
      experiment.make_behaviour = [](const Experiment& built, RoundSnapshots* snapshots) {
        if (built.flat_mixing)
          return std::unique_ptr<LearningBehaviour>(std::make_unique<FlatGossip>(
              FlatGossipConfig{built.flat_mixing, built.model->dimension(), built.config.rounds, built.config.gamma,
                               built.flat_initial_models},
              snapshots));
        return std::unique_ptr<LearningBehaviour>(built.algorithm->make(built.config, snapshots));
      };
    };
    // Where messages can be lost, ad-psgd's reply timeout; then the bounds of the simulated clock.
    decentralized.finish_engine = [](const Scenario& scenario, Experiment& experiment) {
      set_reply_timeout(scenario, experiment);
      check_run_bounds(scenario, experiment);
    };
    return decentralized;
  }();
  return family;
}

Experiment build_experiment(const Scenario& scenario, int threads) {
  Experiment experiment;
  experiment.nodes = static_cast<std::uint32_t>(scenario.integer("nodes"));
  experiment.family = at_key(scenario, "algorithm.kind", [&] {
    const AlgorithmFamily* family = family_of(scenario.text("algorithm.kind"));
    if (!family) throw std::invalid_argument(fmt::format("unknown algorithm \"{}\"", scenario.text("algorithm.kind")));
    return family;
  });
  build_data(scenario, experiment);
  build_model(scenario, experiment);
  // A target no evaluation can report is bad input, not a silent null.
  if (scenario.has("metrics.target_accuracy") && !experiment.model->has_accuracy())
    fail_at_key(scenario, "metrics.target_accuracy",
                fmt::format("model.kind = \"{}\" has no accuracy (logistic, softmax and mlp have)",
                            scenario.text("model.kind")));
  // The averaged iterate sums every round's models, which timed evaluations do not see.
  if (scenario.boolean("metrics.averaged_iterate") && scenario.duration("metrics.every_time") > 0)
    fail_at_key(scenario, "metrics.averaged_iterate", "needs evaluations by rounds (metrics.every_time = \"0s\")");
  experiment.family->build(scenario, experiment);
  if (!experiment.family->byzantine && byzantine_requested(scenario))
    fail_at_key(scenario, byzantine_key(scenario),
                fmt::format("the {} algorithms do not simulate Byzantine nodes yet", experiment.family->name));
  build_engine(scenario, experiment, threads);
  if (experiment.family->finish_engine) experiment.family->finish_engine(scenario, experiment);
  return experiment;
}

}  // namespace dlsim
