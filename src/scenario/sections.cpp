// The scenario schema: every section and key, with its default and help.
// Kind-dependent keys (topology generator parameters, compressor parameters)
// come from the components' own parameter tables.
#include <fmt/core.h>

#include <algorithm>
#include <limits>

#include "compress/factory.hpp"
#include "robust/factory.hpp"
#include "scenario/byzantine_section.hpp"
#include "scenario/experiment.hpp"
#include "scenario/family.hpp"
#include "scenario/privacy_section.hpp"
#include "scenario/secure_aggregation_section.hpp"
#include "sim/node.hpp"
#include "topologies/generators.hpp"
#include "topologies/mixing.hpp"

namespace dlsim {
namespace {



KeySpec key(std::string name, ValueType type, std::string default_value, std::string help,
            double minimum = -1e308, double maximum = 1e308) {
  return key_spec(std::move(name), type, std::move(default_value), std::move(help), minimum, maximum);
}

KeySpec choice(std::string name, std::vector<std::string> choices, std::string default_value, std::string help) {
  return choice_spec(std::move(name), std::move(choices), default_value, std::move(help));
}

std::string quoted(std::string_view text) { return fmt::format("\"{}\"", text); }

// A component's declared parameter as a scenario key.
KeySpec from_param(const ParamSpec& param) {
  KeySpec spec;
  spec.name = std::string(param.name);
  spec.help = std::string(param.help);
  switch (param.type) {
    case ParamType::integer: spec.type = ValueType::integer; spec.default_value = std::string(param.default_value); break;
    case ParamType::real: spec.type = ValueType::real; spec.default_value = std::string(param.default_value); break;
    case ParamType::boolean: spec.type = ValueType::boolean; spec.default_value = std::string(param.default_value); break;
    case ParamType::text:
      spec.default_value = quoted(param.default_value);
      if (param.choices.empty()) {
        spec.type = ValueType::string;
      } else {
        spec.type = ValueType::choice;
        std::string_view rest = param.choices;
        while (!rest.empty()) {
          const auto bar = rest.find('|');
          spec.choices.emplace_back(rest.substr(0, bar));
          if (bar == std::string_view::npos) break;
          rest.remove_prefix(bar + 1);
        }
      }
      break;
  }
  return spec;
}

std::vector<std::string> topology_kind_names() {
  std::vector<std::string> names;
  for (const TopologyKind& kind : topology_kinds()) names.emplace_back(kind.name);
  names.emplace_back("file");
  return names;
}

std::vector<std::string> mixing_rule_names() {
  std::vector<std::string> names;
  for (const MixingRuleInfo& rule : mixing_rules()) names.emplace_back(rule.name);
  names.emplace_back("file");
  return names;
}

std::vector<std::string> compressor_kind_names() {
  std::vector<std::string> names{"none"};
  for (const CompressorKind& kind : compressor_kinds()) names.emplace_back(kind.name);
  return names;
}

Schema build_schema() {
  std::vector<SectionSpec> sections;
  sections.push_back(SectionSpec{
      "", "the experiment",
      {key("name", ValueType::string, "\"scenario\"", "name of the experiment; results go to results/<name> (one folder name: no `/`, `\\`, `.` or `..`, "
           "at most 128 characters)"),
       key("seed", ValueType::integer, "1", "seed of every random stream in the run", 0),
       key("nodes", ValueType::integer, "16", "number of nodes (node ids are 32 bits; memory is the practical limit)", 1,
           kMaxNodes)},
      {}});

  SectionSpec topology{"topology", "the communication graph and its mixing weights",
                       {choice("kind", topology_kind_names(), "ring",
                               "graph generator, or \"file\" to read `file`"),
                        choice("weights", mixing_rule_names(), "metropolis",
                               "mixing rule for W, or \"file\": w_ij = the weight of edge ij in topology.file, "
                               "w_ii = 1 - the rest (a row whose edges weigh more than 1 is refused); a directed graph: uniform over "
                               "out-neighbours and self unless \"file\""),
                        key("file", ValueType::string, "", "graph file (edge list, GraphML or DOT) when kind = \"file\""),
                        key("directed", ValueType::boolean, "false",
                            "kind = \"file\": read it as a digraph (edge-list lines are arcs u -> v, a line \"i i "
                            "w\" states w_ii; GraphML edgedefault=\"directed\"; DOT digraph) with column-stochastic "
                            "W, uniform over out-neighbours and self or, with weights = \"file\", the arc weights "
                            "(columns checked to sum to 1); for push-sum and sgp, strongly connected")},
                       {}};
  topology.kind_keys = [](const Schema&, std::string_view kind) {
    std::vector<KeySpec> keys;
    if (kind == "file") return keys;
    for (const ParamSpec& param : find_topology_kind(kind).params) keys.push_back(from_param(param));
    return keys;
  };
  sections.push_back(std::move(topology));

  sections.push_back(SectionSpec{
      "network", "links and NICs",
      {choice("model", {"fifo", "fair"}, "fifo", "fifo: a FIFO queue per NIC; fair: max-min fair flows"),
       key("latency", ValueType::duration, "\"1ms\"", "link latency (minimum if spread > 0)"),
       key("latency_spread", ValueType::duration, "\"0s\"", "per-link latency drawn uniformly in [latency, latency + spread]"),
       key("jitter", ValueType::duration, "\"0s\"", "mean of an exponential delay added to every message"),
       key("bandwidth", ValueType::rate, "\"1Gbps\"", "uplink and downlink rate of every node", 1),
       key("uplink", ValueType::rate, "", "uplink rate (overrides bandwidth)", 1),
       key("downlink", ValueType::rate, "", "downlink rate (overrides bandwidth)", 1),
       key("loss", ValueType::real, "0.0", "probability that a message is lost", 0, 1)},
      {}});

  sections.push_back(SectionSpec{
      "compute", "how long local computation takes",
      {key("flops_per_second", ValueType::real, "1e10", "floating-point rate of a nominal node", 1e-300),
       key("bytes_per_second", ValueType::real, "2e10", "memory rate of a nominal node", 1e-300),
       choice("speed", {"constant", "uniform", "lognormal", "two-class", "table"}, "constant",
              "per-node speed factor distribution"),
       key("speed_low", ValueType::real, "0.5", "uniform: lowest speed factor", 1e-300),
       key("speed_high", ValueType::real, "1.5", "uniform: highest speed factor", 1e-300),
       key("speed_sigma", ValueType::real, "0.5", "lognormal: sigma of log(speed) (median 1)", 0),
       key("slow_fraction", ValueType::real, "0.1", "two-class: fraction of slow nodes", 0, 1),
       key("slow_factor", ValueType::real, "5.0", "two-class: how many times slower they are", 1),
       key("speed_table", ValueType::string, "", "table: CSV file of node,speed_factor rows"),
       key("jitter_sigma", ValueType::real, "0.0", "sigma of the lognormal per-task jitter", 0)},
      {}});

  sections.push_back(SectionSpec{
      "faults", "crashes and churn",
      {key("crash_fraction", ValueType::real, "0.0", "fraction of nodes (chosen at random) that crash", 0, 1),
       key("crash_time", ValueType::duration, "\"0s\"", "when they crash"),
       key("churn_fraction", ValueType::real, "0.0", "fraction of nodes that churn", 0, 1),
       key("churn_mean_up", ValueType::duration, "\"1s\"", "mean up period of a churning node"),
       key("churn_mean_down", ValueType::duration, "\"100ms\"", "mean down period of a churning node")},
      {}});

  sections.push_back(SectionSpec{
      "data", "the training and test data and how it is split",
      {choice("source", {"synthetic-logistic", "synthetic-linear", "gaussian-mixture", "libsvm", "csv", "fashion-mnist"},
              "synthetic-logistic", "where samples come from"),
       key("samples", ValueType::integer, "4000", "synthetic: training samples", 1),
       key("test_samples", ValueType::integer, "1000", "synthetic: test samples", 0),
       key("features", ValueType::integer, "20", "synthetic: features", 1),
       key("classes", ValueType::integer, "3", "gaussian-mixture: classes", 2),
       key("margin", ValueType::real, "0.0", "synthetic-logistic: margin between the classes", 0),
       key("flip_probability", ValueType::real, "0.05", "synthetic-logistic: fraction of flipped labels", 0, 1),
       key("noise", ValueType::real, "0.1", "synthetic-linear: label noise standard deviation", 0),
       key("separation", ValueType::real, "3.0", "gaussian-mixture: distance between class means", 0),
       key("groups", ValueType::integer, "1", "synthetic: groups with different optima (non-iid knob)", 1),
       key("heterogeneity", ValueType::real, "0.0", "synthetic: spread of the groups' optima", 0),
       key("path", ValueType::string, "", "libsvm/csv: training file (fashion-mnist: folder); csv: label last, header line detected"),
       key("test_path", ValueType::string, "", "libsvm/csv: test file, its labels read as the training file's classes"),
       choice("normalize", {"none", "min-max", "standardize", "unit-norm"}, "none", "feature normalisation"),
       choice("partition", {"iid", "sorted", "shards", "dirichlet", "quantity-skew", "contiguous"}, "iid",
              "how samples are split across nodes (sorted: by label, as in CHOCO-SGD)"),
       key("alpha", ValueType::real, "0.5", "dirichlet: concentration", 1e-12),
       key("shards_per_node", ValueType::integer, "2", "shards: shards per node", 1),
       key("skew_exponent", ValueType::real, "1.5", "quantity-skew: power-law exponent", 1e-12)},
      {}});

  sections.push_back(SectionSpec{
      "model", "loss and gradient",
      {choice("kind", {"logistic", "least-squares", "softmax", "mlp", "consensus", "nonsmooth-counterexample"},
              "logistic",
              "logistic: binary, two labels read as -1/+1; least-squares: file targets read as numbers; consensus: average consensus f_i = 1/2 ||x - b_i||^2; "
              "nonsmooth-counterexample: f(x) = |x1 + x2| + 2 |x1 - x2| on R^2 for every node, the data ignored, "
              "minimum 0 at the origin, where sign compression without error feedback stalls (Karimireddy et al., "
              "ICML 2019); set init to a start"),
       key("l2", ValueType::real, "1e-4", "L2 regularisation", 0),
       key("hidden", ValueType::integer_list, "[128]", "mlp: hidden layer sizes", 1),
       key("init", ValueType::string_or_real_list, "\"auto\"",
           "the initial model of every node (federated: the server's): auto (the model's own: zeros, the MLP's He "
           "draw); zeros; random (N(0, 1/dimension) per parameter, the MLP's He draw, from the seed); a list of one "
           "value per parameter; or \"file:PATH\", one number per line ('#' comments)"),
       key("initial_point", ValueType::real_list, "",
           "older spelling of init = [values] (give one of the two)")},
      {}});

  std::vector<std::string> algorithm_names;
  std::string algorithm_help;
  for (const AlgorithmFamily* family : algorithm_families())
    for (const auto& [name, help] : family->kinds) {
      algorithm_names.push_back(name);
      algorithm_help += fmt::format("{}{}: {}", algorithm_help.empty() ? "" : "; ", name, help);
    }
  SectionSpec algorithm{
      "algorithm", "the node behaviour (keys of every family; each family's own keys follow)",
      {choice("kind", algorithm_names, "d-psgd", algorithm_help),
       key("learning_rate", ValueType::real, "0.1", "step size eta (eta_0 of the schedule)", 0),
       key("batch_size", ValueType::integer, "32", "minibatch per node and round", 1),
       key("local_steps", ValueType::integer, "1",
           "local-sgd: gradient steps per gossip step (tau); federated: local minibatch steps per round", 1),
       choice("schedule", {"constant", "step", "inverse-time", "inverse-sqrt"}, "constant",
              "learning-rate schedule: constant; step (times decay_factor every decay_every rounds); inverse-time "
              "(eta_t = learning_rate * decay_offset / (t + decay_offset), i.e. a / (t + b)); inverse-sqrt "
              "(eta_t = learning_rate / sqrt(t + 1))"),
       key("decay_factor", ValueType::real, "0.1", "step: factor applied every decay_every rounds", 1e-300, 1),
       key("decay_every", ValueType::integer, "100", "step: rounds between decays", 1),
       key("decay_offset", ValueType::real, "100", "inverse-time: b in a / (t + b)", 1e-300),
       key("warmup_rounds", ValueType::integer, "0", "linear warm-up of the learning rate over this many rounds", 0),
       key("momentum", ValueType::real, "0.0", "local heavy-ball momentum beta in [0, 1)", 0, 0.999999999),
       key("nesterov", ValueType::boolean, "false", "Nesterov momentum (needs momentum > 0)"),
       key("weight_decay", ValueType::real, "0.0", "added to the gradient as weight_decay * x (on top of model.l2)", 0)},
      {}};
  // The chosen kind's family adds its own keys; a key of another family names that family.
  algorithm.kind_keys = [](const Schema&, std::string_view kind) {
    const AlgorithmFamily* family = family_of(kind);
    return family ? family->keys : std::vector<KeySpec>{};
  };
  algorithm.key_owners = [](const Schema&, std::string_view kind, const std::string& name) {
    for (const AlgorithmFamily* family : algorithm_families())
      for (const KeySpec& spec : family->keys)
        if (spec.name == name)
          return fmt::format("the {} algorithms, not of {}, which is {}", family->name, kind,
                             family_of(kind) ? family_of(kind)->name : "");
    return std::string();
  };
  for (const AlgorithmFamily* family : algorithm_families())
    algorithm.documented_kind_keys.push_back(KeyGroup{fmt::format("the {} algorithms", family->name), family->keys});
  sections.push_back(std::move(algorithm));
  for (const AlgorithmFamily* family : algorithm_families())
    for (const SectionSpec& section : family->section_specs) sections.push_back(section);

  sections.push_back(SectionSpec{
      "byzantine",
      "Byzantine nodes or clients and their attack (see README, Byzantine nodes (decentralized) and Byzantine "
      "clients (federated))",
      byzantine_keys(), {}});

  sections.push_back(SectionSpec{
      "privacy",
      "differential privacy of the nodes' or clients' training data, and its accountant (see README, Privacy)",
      privacy_keys(), {}});

  sections.push_back(SectionSpec{
      "secure_aggregation",
      "secure aggregation of the federated uploads, modelled by its cost (see README, Secure aggregation)",
      secure_aggregation_keys(), {}});

  sections.push_back(
      compressor_section("compression", "how messages are encoded", "none: exact fp64 models (64 bits per value)"));

  sections.push_back(SectionSpec{
      "stop", "when the run ends (the first condition met)",
      {key("rounds", ValueType::integer, "100", "rounds every node completes", 0),
       key("time", ValueType::duration, "\"0s\"", "simulated time limit (0s: none)"),
       key("wall_time", ValueType::duration, "\"0s\"",
           "wall-clock limit (0s: none), held within a second whatever the run does; hitting it gives status "
           "stopped"),
       key("target_loss", ValueType::real, "", "stop once the loss at the average model is at most this"),
       key("target_accuracy", ValueType::real, "", "stop once the test accuracy reaches this", 0, 1),
       key("target_suboptimality", ValueType::real, "",
           "stop once loss - f* is at most this (needs f*: see metrics.optimum)", 0),
       key("target_consensus", ValueType::real, "", "stop once the consensus distance is at most this", 0),
       key("privacy_budget", ValueType::real, "",
           "with [privacy] noise: stop at the evaluation after which the next evaluation interval would spend more "
           "than this epsilon (the worst node's, at privacy.delta)", 0)},
      {}});

  sections.push_back(SectionSpec{
      "metrics", "when metrics are evaluated",
      {key("every_rounds", ValueType::integer, "10", "evaluate after every this many rounds", 1),
       key("every_time", ValueType::duration, "\"0s\"",
           "evaluate the nodes' current models every this much simulated time instead (0s: by rounds); "
           "the round column is then the slowest node's; at most 10^6 evaluations (see When a run ends)"),
       key("optimum", ValueType::boolean, "true",
           "compute f* by L-BFGS before the run (convex models, samples x parameters <= 5e7) for a "
           "suboptimality column and summary.json's optimal_loss"),
       key("target_suboptimality", ValueType::real, "",
           "record rounds_to_target, time_to_target_s and bits_to_target at the first evaluation with "
           "suboptimality <= this (the run goes on)", 0),
       key("target_accuracy", ValueType::real, "",
           "classifiers: record rounds_to_target_accuracy, time_to_target_accuracy_s and bits_to_target_accuracy "
           "at the first evaluation whose accuracy (test, or train without a test set) is at least this (null "
           "until then; the run goes on)", 0, 1),
       key("client_accuracy_sample", ValueType::integer, "1000",
           "federated classifiers: client_accuracy_mean and client_accuracy_p10 of the server model on the "
           "training shards of at most this many clients (a fixed uniform sample; 0: off)", 0, 4294967295.0),
       key("averaged_iterate", ValueType::boolean, "false",
           "also evaluate the averaged iterate: each node's uniform (Polyak) average of its models of rounds 0..t, "
           "averaged over nodes, as loss_averaged (and suboptimality_averaged, train/test_accuracy_averaged); "
           "metrics by rounds only"),
       key("node_accuracy", ValueType::boolean, "true",
           "classifiers with a test set: also node_test_accuracy, the mean of the nodes' own test accuracies "
           "(one test pass per node)")},
      {}});

  sections.push_back(SectionSpec{"sweep", "parameter sweeps (see README, Sweeps)", {}, {}});

  // A section that only one family reads is refused under the others' algorithms.
  for (SectionSpec& section : sections)
    for (const AlgorithmFamily* family : algorithm_families())
      for (const std::string& owned : family->sections)
        if (owned == section.name)
          section.excluded = [family, name = section.name](const toml::table& document) {
            const std::string kind = document.at_path("algorithm.kind").value_or(std::string());
            const AlgorithmFamily* chosen = family_of(kind);
            if (chosen == family) return std::string();
            return fmt::format("[{}] is for the {} algorithms; {} is {}", name, family->name, kind,
                               chosen ? chosen->name : "");
          };

  return Schema(std::move(sections));
}

}  // namespace

SectionSpec compressor_section(std::string name, std::string help, std::string kind_help) {
  SectionSpec section{std::move(name), std::move(help),
                      {choice("kind", compressor_kind_names(), "none", std::move(kind_help))},
                      {}};
  section.kind_keys = [](const Schema&, std::string_view kind) {
    std::vector<KeySpec> keys;
    for (const CompressorKind& entry : compressor_kinds())
      if (entry.name == kind)
        for (const ParamSpec& param : entry.params) keys.push_back(from_param(param));
    return keys;
  };
  return section;
}

SectionSpec aggregator_section() {
  // A kind's parameters as scenario keys. Bucketing's inner aggregator takes
  // its parameters as inner_NAME (the factory's inner.NAME): one optional key
  // per parameter name of the other kinds, absent meaning the inner kind's
  // own default (the defaults differ between kinds, e.g. f).
  const auto keys_of = [](const AggregatorKind& entry) {
    std::vector<KeySpec> keys;
    for (const ParamSpec& param : entry.params) keys.push_back(from_param(param));
    if (entry.name != "bucketing") return keys;
    for (KeySpec& key : keys)
      if (key.name == "inner")
        key.help = "inner aggregator kind (not bucketing); its parameters as inner_NAME";
    std::vector<std::string> names;
    for (const AggregatorKind& other : aggregator_kinds()) {
      if (other.name == "bucketing") continue;
      for (const ParamSpec& param : other.params) {
        const std::string name = fmt::format("inner_{}", param.name);
        const auto known = std::find(names.begin(), names.end(), name);
        if (known != names.end()) {
          keys[std::size_t(known - names.begin()) + entry.params.size()].help += fmt::format(", {}", other.name);
          continue;
        }
        names.push_back(name);
        KeySpec key = from_param(param);
        key.name = name;
        key.default_value.clear();  // optional: the inner kind's default
        key.help = fmt::format("the inner aggregator's {} (leave out: its default); of {}", param.name, other.name);
        keys.push_back(std::move(key));
      }
    }
    return keys;
  };
  std::vector<std::string> kinds;
  for (const AggregatorKind& entry : aggregator_kinds()) kinds.emplace_back(entry.name);
  SectionSpec section{"aggregator",
                      "how the federated server combines the kept updates (synchronous federated algorithms): a "
                      "robust aggregator of robust/factory.hpp and its parameters",
                      {choice("kind", kinds, "mean",
                              "mean: the weighted average (FedAvg); median, trimmed-mean, krum, multi-krum, bulyan, "
                              "geometric-median, norm-clipping, centered-clipping, bucketing"),
                       key("worker_momentum", ValueType::real, "0.0",
                           "beta of the honest clients' worker momentum m_i = (1 - beta) u_i + beta m_i, sent in "
                           "place of their update u_i (Karimireddy, He, Jaggi 2021); 0: off",
                           0, 0.999999999)},
                      {}};
  section.kind_keys = [keys_of](const Schema&, std::string_view kind) {
    for (const AggregatorKind& entry : aggregator_kinds())
      if (entry.name == kind) return keys_of(entry);
    return std::vector<KeySpec>{};
  };
  // Each kind's parameters as a table of the reference.
  for (const AggregatorKind& entry : aggregator_kinds())
    if (!entry.params.empty())
      section.documented_kind_keys.push_back(KeyGroup{fmt::format("kind = \"{}\"", entry.name), keys_of(entry)});
  return section;
}

const Schema& scenario_schema() {
  static const Schema schema = build_schema();
  return schema;
}

}  // namespace dlsim
