// The federated family: its keys in [algorithm], its [server] and
// [availability] sections, and how it builds a server and its clients from a
// scenario (see family.hpp and algorithms/federated/).
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "algorithms/federated/client_table.hpp"
#include "algorithms/federated/registry.hpp"
#include "algorithms/federated/synchronous_rounds.hpp"
#include "compress/factory.hpp"
#include "metrics/client_accuracy.hpp"
#include "robust/attacks.hpp"
#include "robust/factory.hpp"
#include "scenario/build_support.hpp"
#include "scenario/byzantine_section.hpp"
#include "scenario/family.hpp"
#include "scenario/privacy_section.hpp"
#include "scenario/secure_aggregation_section.hpp"

namespace dlsim {
namespace {

// The proximal mu unless set (fedprox, fedasync); the other kinds refuse any other value.
constexpr double kDefaultMu = 0.01;

KeySpec key(std::string name, ValueType type, std::string default_value, std::string help, double minimum = -1e308,
            double maximum = 1e308) {
  return key_spec(std::move(name), type, std::move(default_value), std::move(help), minimum, maximum);
}

KeySpec choice(std::string name, std::vector<std::string> choices, const std::string& default_value,
               std::string help) {
  return choice_spec(std::move(name), std::move(choices), default_value, std::move(help));
}

// true or false, or one of `choices`; `default_value` a TOML literal.
KeySpec boolean_or_choice(std::string name, std::vector<std::string> choices, const std::string& default_value,
                          std::string help) {
  KeySpec spec = key(std::move(name), ValueType::boolean_or_choice, default_value, std::move(help));
  spec.choices = std::move(choices);
  return spec;
}

std::vector<KeySpec> federated_keys() {
  return {
      key("clients_per_round", ValueType::integer, "10",
          "K: updates the server waits for each round (at most nodes, the registered clients)", 1),
      choice("sampling", {"uniform", "weighted", "round-robin", "power-of-choice", "poisson"}, "uniform",
             "how the cohort is drawn from the idle clients: uniformly, by sample count, in id order, the "
             "highest last-reported local losses among `candidates` drawn by sample count (Cho et al., AISTATS "
             "2022, rpow-d), or poisson: each client independently with probability K (1 + r) / nodes (a cohort "
             "of random size; an empty draw abandons the round, or with [availability] waits and draws again; what privacy.mechanism = \"dp-fedavg\" needs)"),
      key("candidates", ValueType::integer, "0",
          "power-of-choice: candidates d per round (0: twice the clients selected; never fewer)", 0),
      key("probe", ValueType::boolean, "false",
          "power-of-choice: probe the candidates each round (pow-d): the server sends them x_t, each computes its "
          "loss on its data (a compute task) and returns it (32 bits), the cohort is the highest losses; false: "
          "the losses reported with their last updates (rpow-d, no round trip)"),
      key("over_commit", ValueType::real, "0.0",
          "r: ceil(K (1 + r)) clients get the model, the first K updates to arrive are kept", 0),
      key("round_deadline", ValueType::duration, "",
          "the server aggregates what arrived this long after the round began (leave out: no deadline)"),
      key("min_updates", ValueType::integer, "1",
          "a round closed with fewer updates is abandoned (model unchanged, not retried)", 1),
      key("local_epochs", ValueType::integer, "0",
          "> 0: each client makes this many passes over its data per round instead of local_steps", 0),
      key("local_time_budget", ValueType::duration, "\"0s\"",
          "> 0s: each client takes as many local steps as its compute model says fit in this simulated time at "
          "its own speed (median, jitter not known in advance), at least 1, instead of local_steps"),
      boolean_or_choice("error_feedback", {"ef21"}, "false",
          "true: EF-SGD (Karimireddy et al., ICML 2019) on every compressed direction: each client sends C(e_i + "
          "update) and keeps the rest e_i, the server likewise for [downlink_compression]; \"ef21\": EF21 "
          "(Richtarik et al., NeurIPS 2021) on the uplink instead: each client sends C(update - g_i), g_i += "
          "that, the server steps with its running mean g of the g_i (the downlink keeps EF-SGD); needs a "
          "compressor (ef21: [compression])"),
      choice("weighting", {"samples", "uniform"}, "samples",
             "weights of the client updates in the average: by sample count (FedAvg) or equal"),
      key("mu", ValueType::real, fmt::format("{}", kDefaultMu),
          "fedprox, fedasync: proximal weight mu in mu/2 ||y - x_server||^2 (FedAsync's rho)", 0),
      choice("server_optimizer", {"sgd", "momentum", "adam", "yogi", "adagrad"}, "sgd",
             "server step on the averaged update (Reddi et al., ICLR 2021): sgd (FedAvg), momentum (FedAvgM), "
             "adam, yogi, adagrad (FedAdam, FedYogi, FedAdagrad)"),
      key("server_lr", ValueType::real, "1.0", "server learning rate eta_g", 1e-300),
      key("server_momentum", ValueType::real, "0.9", "server_optimizer = momentum: beta", 0, 0.999999999),
      key("server_beta1", ValueType::real, "0.9", "adam, yogi, adagrad: first-moment decay", 0, 0.999999999),
      key("server_beta2", ValueType::real, "0.99", "adam, yogi: second-moment decay", 0, 0.999999999),
      key("server_tau", ValueType::real, "1e-3", "adam, yogi, adagrad: adaptivity tau (v starts at tau^2)", 1e-300),
      key("concurrency", ValueType::integer, "10",
          "fedbuff, fedasync: clients training at once (at most nodes); a new one starts as one finishes", 1),
      key("buffer_size", ValueType::integer, "5", "fedbuff: K, the updates the server averages into one step", 1),
      key("client_timeout", ValueType::duration, "\"0s\"",
          "fedbuff, fedasync: > 0s: the server writes off a client's work this long after sending it the model and "
          "gives its slot to another client (the client is drawn again once heard from); 0s: it waits for the "
          "update or a check-in"),
      choice("staleness_weighting", {"sqrt", "constant"}, "sqrt",
             "fedbuff: weight of an update s server steps stale: 1/sqrt(1 + s) (the paper's) or 1"),
      key("mixing_alpha", ValueType::real, "0.6", "fedasync: alpha in x <- (1 - a) x + a y, a = alpha s(staleness)",
          1e-300, 1),
      choice("staleness_function", {"polynomial", "constant"}, "polynomial",
             "fedasync, and late_updates = stale: s(staleness) = (1 + staleness)^-staleness_exponent, or 1"),
      key("staleness_exponent", ValueType::real, "0.5",
          "fedasync, late_updates = stale: a in the polynomial (1 + staleness)^-a", 0),
      choice("late_updates", {"drop", "stale"}, "drop",
             "an update that arrives after its round closed: dropped, or aggregated with the next round's updates "
             "with its weight times s(rounds late) (staleness_function; stale_updates counts them)"),
  };
}

SectionSpec availability_section() {
  return SectionSpec{
      "availability",
      "when each federated client can be selected, and when it goes away (federated algorithms)",
      {choice("kind", {"always", "bernoulli", "markov", "diurnal", "trace"}, "always",
              "always; bernoulli: available to each selection with `probability`; markov: on/off with exponential "
              "`mean_up`/`mean_down` times; diurnal: probability base + amplitude cos(2 pi (t / period + phase)), "
              "phase per client; trace: the intervals of `file`"),
       key("probability", ValueType::real, "1.0", "bernoulli: probability that a client is available to a selection",
           0, 1),
       key("retry", ValueType::duration, "\"1min\"",
           "bernoulli: when no idle client is available, the server draws again after this long"),
       key("mean_up", ValueType::duration, "\"30min\"", "markov: mean available time"),
       key("mean_down", ValueType::duration, "\"30min\"", "markov: mean unavailable time"),
       key("period", ValueType::duration, "\"24h\"", "diurnal: the period of p(t)"),
       key("base", ValueType::real, "0.5", "diurnal: mean probability of being available", 0, 1),
       key("amplitude", ValueType::real, "0.0", "diurnal: amplitude of p(t) (base +- amplitude stays in [0, 1])", 0,
           0.5),
       key("file", ValueType::string, "",
           "trace: CSV file of client,start_s,end_s intervals (seconds; header optional; '#' comments)")},
      {}};
}

SectionSpec server_section() {
  return SectionSpec{
      "server", "the federated server: its NIC, its links to the clients and its compute rate (federated algorithms)",
      {key("bandwidth", ValueType::rate, "\"10Gbps\"", "uplink and downlink rate of the server's NIC", 1),
       key("uplink", ValueType::rate, "", "server uplink rate (overrides bandwidth)", 1),
       key("downlink", ValueType::rate, "", "server downlink rate (overrides bandwidth)", 1),
       key("latency", ValueType::duration, "", "latency of every client's link to the server (default: network.latency)"),
       key("speed", ValueType::real, "1.0",
           "compute rate as a multiple of a nominal node's ([compute] flops_per_second and bytes_per_second)", 1e-300)},
      {}};
}

SectionSpec downlink_section() {
  return compressor_section(
      "downlink_compression",
      "compression of the server's broadcast (federated algorithms): the server's model steps are compressed, "
      "clients rebuild x_t from those they missed (README, Federated learning)",
      "none: the model itself, exact fp64; otherwise the compressor of the server's steps");
}

[[noreturn]] void bad(const Scenario& scenario, std::string_view path, std::string_view what) {
  fail_at_key(scenario, path, what);
}

// The compressor of [compression] (the uplink) or [downlink_compression]; null for "none".
std::shared_ptr<const Compressor> section_compressor(const Scenario& scenario, const std::string& section) {
  const std::string kind_key = section + ".kind";
  const std::string kind = scenario.text(kind_key);
  if (kind == "none") return nullptr;
  ParamMap params;
  for (const auto& [name, node] : scenario.section_entries(section))
    if (name != "kind") params[name] = toml_to_param(*node);
  return at_key(scenario, kind_key, [&] { return std::shared_ptr<const Compressor>(make_compressor(kind, params)); });
}

AvailabilityConfig build_availability(const Scenario& scenario, std::uint32_t clients) {
  AvailabilityConfig availability;
  availability.kind = parse_availability(scenario.text("availability.kind"));
  availability.probability = scenario.real("availability.probability");
  availability.retry = scenario.duration("availability.retry");
  availability.mean_up = scenario.duration("availability.mean_up");
  availability.mean_down = scenario.duration("availability.mean_down");
  availability.period = scenario.duration("availability.period");
  availability.base = scenario.real("availability.base");
  availability.amplitude = scenario.real("availability.amplitude");
  if (availability.kind == AvailabilityKind::trace) {
    if (!scenario.has("availability.file"))
      bad(scenario, "availability.kind", "kind \"trace\" needs availability.file");
    availability.trace = at_key(scenario, "availability.file", [&] {
      return std::make_shared<const AvailabilityTrace>(AvailabilityTrace::read(scenario.text("availability.file"), clients));
    });
  }
  // The model's own checks, each message opening with the name of the key at fault.
  try {
    validate(availability, clients);
  } catch (const std::invalid_argument& error) {
    const std::string what = error.what();
    for (const char* name : {"probability", "retry", "mean_up", "mean_down", "period", "amplitude"})
      if (what.starts_with(name)) bad(scenario, fmt::format("availability.{}", name), what);
    bad(scenario, "availability.kind", what);
  }
  return availability;
}

bool reads(const FederatedKind& kind, std::string_view key) {
  return std::find(kind.ignores.begin(), kind.ignores.end(), key) == kind.ignores.end();
}

// Whether a key holds its default (left out, for a key without one).
bool at_default(const Scenario& scenario, const std::string& path, const KeySpec& spec) {
  if (spec.default_value.empty()) return !scenario.has(path);
  switch (spec.type) {
    case ValueType::integer: return scenario.integer(path) == std::stoll(spec.default_value);
    case ValueType::real: return scenario.real(path) == std::stod(spec.default_value);
    case ValueType::boolean:
    case ValueType::boolean_or_choice:
      return !scenario.is_text(path) && (scenario.boolean(path) ? "true" : "false") == spec.default_value;
    default: return "\"" + scenario.text(path) + "\"" == spec.default_value;  // a quoted TOML string
  }
}

// A key set under a kind that does not read it: refused, naming the kinds
// that read it, so that no setting is silently ignored.
void refuse_unread_keys(const Scenario& scenario, const FederatedKind& kind) {
  for (const KeySpec& spec : federated_keys()) {
    const std::string path = "algorithm." + spec.name;
    if (reads(kind, spec.name) || at_default(scenario, path, spec)) continue;
    std::string readers;
    for (const FederatedKind& other : federated_algorithms())
      if (reads(other, spec.name)) readers += fmt::format("{}{}", readers.empty() ? "" : ", ", other.name);
    bad(scenario, path, fmt::format("{} does not read it (read by {})", kind.name, readers));
  }
}

// The server model's accuracy on each client's training shard (a fixed
// sample of clients): the fairness columns, measured off the simulated clock.
// The true labels (experiment.train), also where label-flipping Byzantine
// clients train on flipped ones.
void add_client_accuracy(const Scenario& scenario, Experiment& experiment, const FederatedConfig& config) {
  const auto sample = static_cast<std::uint32_t>(scenario.integer("metrics.client_accuracy_sample"));
  if (sample == 0 || !config.model->has_accuracy() || config.batches.generate) return;
  auto clients = std::make_shared<const ClientAccuracy>(config.model, experiment.train, config.batches.partition,
                                                        sample, config.seed);
  experiment.model_metric_columns = {"client_accuracy_mean", "client_accuracy_p10"};
  experiment.model_metric_values = [clients](std::span<const std::vector<double>> models, std::vector<double>& row) {
    const AccuracyDistribution distribution = clients->distribution(models.front());
    row.insert(row.end(), {distribution.mean, distribution.p10});
  };
}

// Worst-case Byzantine inputs the aggregator tolerates among n, from its
// breakdown point: median and geometric median f < n/2, trimmed mean its
// per-side trim, Krum, multi-Krum and Bulyan their f; "" when it states none
// (mean, clipping, bucketing: refused by nothing but their own input checks).
std::optional<std::size_t> tolerated(const Scenario& scenario, const std::string& kind, std::size_t n) {
  if (kind == "median" || kind == "geometric-median") return (n - 1) / 2;
  if (kind == "krum" || kind == "multi-krum" || kind == "bulyan")
    return static_cast<std::size_t>(scenario.integer("aggregator.f"));
  if (kind == "trimmed-mean") {
    const std::int64_t f = scenario.integer("aggregator.f");
    return f >= 0 ? static_cast<std::size_t>(f)
                  : static_cast<std::size_t>(std::floor(scenario.real("aggregator.beta") * static_cast<double>(n)));
  }
  return std::nullopt;
}

// error_feedback = "ef21": what the synchronous server's EF21 needs.
void check_ef21(const Scenario& scenario, const FederatedKind& kind, const FederatedConfig& config) {
  if (!config.ef21) return;
  const auto refuse = [&](std::string_view why) { bad(scenario, "algorithm.error_feedback", why); };
  if (!reads(kind, "clients_per_round"))
    refuse(fmt::format("{} has no EF21 (the synchronous kinds have: fedavg, fedprox, scaffold, fednova)", kind.name));
  if (!config.uplink_compressor) refuse("ef21 works on the uplink: set compression.kind");
  if (config.late_updates == LateUpdates::stale)
    refuse("ef21 folds every update it receives into its estimate: leave late_updates at \"drop\"");
  if (config.robust_aggregator || !config.byzantine.empty())
    refuse("ef21 is not defined with a robust aggregator or Byzantine clients");
}

// What DP-FedAvg's accountant needs of the rounds (privacy/dp_fedavg.hpp):
// one Poisson-sampled Gaussian mechanism of sensitivity C per round. Each
// refusal names the key that breaks it.
void check_user_privacy(const Scenario& scenario, const FederatedKind& kind, const FederatedConfig& config) {
  if (kind.name != "fedavg" && kind.name != "fedprox")
    bad(scenario, "privacy.mechanism",
        fmt::format("dp-fedavg is for the synchronous kinds fedavg and fedprox, not {} (SCAFFOLD's control "
                    "variates and FedNova's normalisation are not clipped, the asynchronous servers sample no cohort)",
                    kind.name));
  if (config.cohort.sampling != ClientSampling::poisson)
    bad(scenario, "algorithm.sampling",
        "dp-fedavg's accountant assumes a Poisson cohort (each client independently with probability "
        "clients_per_round / nodes): set sampling = \"poisson\"");
  if (config.cohort.over_commit != 0.0)
    bad(scenario, "algorithm.over_commit",
        "dp-fedavg waits for its whole Poisson cohort; keeping the first updates would let one client push "
        "another's out (sensitivity 2 clip_norm)");
  if (config.cohort.round_deadline > 0)
    bad(scenario, "algorithm.round_deadline",
        "a deadline could drop another client's update because one client's transfer delayed it (sensitivity "
        "2 clip_norm); dp-fedavg waits for the whole cohort");
  if (config.cohort.min_updates != 1)
    bad(scenario, "algorithm.min_updates",
        "dp-fedavg never abandons a round (an unchanged model would tell the cohort was small)");
  if (config.availability.kind != AvailabilityKind::always)
    bad(scenario, "availability.kind",
        "dp-fedavg needs every round's draw to stand: redrawing after an empty cohort of available clients would "
        "raise a client's inclusion probability above q");
  if (config.late_updates != LateUpdates::drop)
    bad(scenario, "algorithm.late_updates", "dp-fedavg accounts each update in its own round only");
  if (config.ef21)
    bad(scenario, "algorithm.error_feedback",
        "ef21's server estimate folds in every client's unclipped state; dp-fedavg clips and noises what it "
        "receives (use error_feedback = true or false)");
  if (config.robust_aggregator || !config.byzantine.empty())
    bad(scenario, config.robust_aggregator ? std::string("aggregator.kind") : byzantine_key(scenario),
        "dp-fedavg's sensitivity argument needs the plain sum of the clipped updates");
}

// The [aggregator] section and the [byzantine] clients (synchronous rounds only).
void build_robustness(const Scenario& scenario, const FederatedKind& kind, FederatedConfig& config,
                      Experiment& experiment) {
  const std::string aggregator = scenario.text("aggregator.kind");
  const bool synchronous = reads(kind, "clients_per_round");
  config.worker_momentum = scenario.real("aggregator.worker_momentum");
  if (config.worker_momentum > 0 && !synchronous)
    bad(scenario, "aggregator.worker_momentum",
        fmt::format("{} has no worker momentum yet (the synchronous kinds have: fedavg, fedprox, scaffold, "
                    "fednova)", kind.name));
  if (aggregator != "mean") {
    if (!synchronous)
      bad(scenario, "aggregator.kind",
          fmt::format("{} has no robust aggregation yet (the synchronous kinds have: fedavg, fedprox, scaffold, "
                      "fednova)", kind.name));
    ParamMap params;
    for (const auto& [name, node] : scenario.section_entries("aggregator")) {
      if (name == "kind" || name == "worker_momentum") continue;
      // Bucketing's inner_NAME is the factory's inner.NAME, if the inner kind has NAME.
      constexpr std::string_view kInnerPrefix = "inner_";
      if (aggregator == "bucketing" && name.starts_with(kInnerPrefix)) {
        const std::string param = name.substr(kInnerPrefix.size()), inner = scenario.text("aggregator.inner");
        for (const AggregatorKind& entry : aggregator_kinds())
          if (entry.name == inner &&
              std::none_of(entry.params.begin(), entry.params.end(),
                           [&](const ParamSpec& spec) { return spec.name == param; }))
            bad(scenario, "aggregator." + name,
                fmt::format("the inner aggregator {} has no parameter {}", inner, param));
        params["inner." + param] = toml_to_param(*node);
        continue;
      }
      params[name] = toml_to_param(*node);
    }
    config.robust_aggregator = at_key(scenario, "aggregator.kind", [&] {
      return std::shared_ptr<const RobustAggregator>(make_aggregator(aggregator, params));
    });
    at_key(scenario, "aggregator.kind", [&] {
      config.robust_aggregator->check_inputs(config.cohort.clients_per_round);
      return 0;
    });
  }
  if (!byzantine_requested(scenario)) return;
  if (!synchronous)
    bad(scenario, byzantine_key(scenario),
        fmt::format("{} does not simulate Byzantine clients yet (the synchronous kinds do: fedavg, fedprox, "
                    "scaffold, fednova)", kind.name));
  // No graph: the degree placements are refused by read_byzantine.
  const ByzantineChoice choice = read_byzantine(scenario, experiment.nodes, {});
  config.byzantine = choice.nodes;
  config.attack = choice.attack;
  if (choice.attack.kind == AttackKind::dissensus)
    bad(scenario, "byzantine.attack", "dissensus pushes gossip neighbours apart; a federated server has none");
  if (!choice.attack.omniscient && attack_uses_honest(choice.attack.kind))
    bad(scenario, "byzantine.omniscient",
        "the federated attacks on the honest updates see those of the same round: leave omniscient = true");
  // ALIE's "auto" z is Baruch et al.'s for the n updates the server combines
  // (K) and the Byzantine ones among them in the worst case.
  if (choice.attack.kind == AttackKind::alie && scenario.is_auto("byzantine.z")) {
    const std::size_t k = config.cohort.clients_per_round, among = std::min(choice.nodes.size(), k);
    config.attack.z = at_key(scenario, "byzantine.z", [&] {
      try {
        return alie_z(k, among);
      } catch (const std::invalid_argument&) {
        throw std::invalid_argument(fmt::format(
            "\"auto\" needs f < floor(K/2 + 1) (K = clients_per_round = {}, f = {}); give z", k, among));
      }
    });
  }
  if (choice.attack.kind == AttackKind::label_flip)
    config.batches.data = at_key(scenario, "byzantine.attack", [&] {
      return std::make_shared<const Dataset>(
          with_flipped_labels(*config.batches.data, config.batches.partition, config.byzantine));
    });
  // In the worst case every Byzantine client is in one cohort's K kept updates.
  const std::size_t n = config.cohort.clients_per_round;
  const std::size_t worst = std::min(choice.nodes.size(), n);
  if (const auto tolerates = tolerated(scenario, aggregator, n); tolerates && worst > *tolerates) {
    const bool own_f = aggregator == "krum" || aggregator == "multi-krum" || aggregator == "bulyan" ||
                       (aggregator == "trimmed-mean" && scenario.integer("aggregator.f") >= 0);
    bad(scenario, own_f ? "aggregator.f" : "aggregator.kind",
        fmt::format("{} tolerates {} Byzantine updates of the K = {} kept, but a cohort can hold {} of the {} "
                    "Byzantine clients",
                    aggregator, *tolerates, n, worst, choice.nodes.size()));
  }
  experiment.byzantine = choice.nodes;
  experiment.byzantine_placement = choice.placement;
  experiment.byzantine_attack = describe_attack(config.attack);
}

void build(const Scenario& scenario, Experiment& experiment) {
  const FederatedKind& kind = find_federated_algorithm(scenario.text("algorithm.kind"));
  refuse_unread_keys(scenario, kind);
  FederatedConfig config;
  config.clients = experiment.nodes;
  config.seed = static_cast<std::uint64_t>(scenario.integer("seed"));
  config.rounds = static_cast<std::uint64_t>(scenario.integer("stop.rounds"));
  config.model = experiment.model;
  config.batches = std::move(experiment.config.batches);
  config.batches.data = experiment.train;
  config.batch_size = static_cast<std::size_t>(scenario.integer("algorithm.batch_size"));
  config.local = build_optimizer(scenario);
  config.local_steps = static_cast<std::uint64_t>(scenario.integer("algorithm.local_steps"));
  config.local_epochs = static_cast<std::uint64_t>(scenario.integer("algorithm.local_epochs"));
  if (config.local_epochs > 0 && config.local_steps != 1)
    bad(scenario, "algorithm.local_epochs", "give local_steps or local_epochs, not both");
  config.weighting = parse_weighting(scenario.text("algorithm.weighting"));
  config.rule.proximal_mu = scenario.real("algorithm.mu");
  if (!kind.proximal && config.rule.proximal_mu != kDefaultMu)
    bad(scenario, "algorithm.mu", fmt::format("{} has no proximal term (fedprox and fedasync have)", kind.name));
  // A parameter-server worker computes one gradient: there are no local steps.
  if (!reads(kind, "local_epochs") && config.local_steps != 1)
    bad(scenario, "algorithm.local_steps",
        fmt::format("{} computes one gradient per step at each worker: leave local_steps at 1", kind.name));

  ServerOptimizerConfig& server = config.server;
  server.kind = parse_server_optimizer(scenario.text("algorithm.server_optimizer"));
  server.learning_rate = scenario.real("algorithm.server_lr");
  server.momentum = scenario.real("algorithm.server_momentum");
  server.beta1 = scenario.real("algorithm.server_beta1");
  server.beta2 = scenario.real("algorithm.server_beta2");
  server.tau = scenario.real("algorithm.server_tau");

  CohortConfig& cohort = config.cohort;
  // Kinds without rounds leave clients_per_round at its default (refused
  // otherwise), kept within the clients so that the config is valid.
  const std::int64_t per_round = reads(kind, "clients_per_round")
                                     ? scenario.integer("algorithm.clients_per_round")
                                     : std::min<std::int64_t>(scenario.integer("algorithm.clients_per_round"),
                                                              experiment.nodes);
  if (per_round > static_cast<std::int64_t>(experiment.nodes))
    bad(scenario, "algorithm.clients_per_round",
        fmt::format("{} clients per round, but there are {} clients (nodes)", per_round, experiment.nodes));
  cohort.clients_per_round = static_cast<std::uint32_t>(per_round);
  cohort.sampling = parse_sampling(scenario.text("algorithm.sampling"));
  cohort.candidates = static_cast<std::uint32_t>(std::min<std::int64_t>(scenario.integer("algorithm.candidates"), 0xFFFFFFFF));
  cohort.over_commit = scenario.real("algorithm.over_commit");
  if (scenario.has("algorithm.round_deadline")) {
    cohort.round_deadline = scenario.duration("algorithm.round_deadline");
    if (cohort.round_deadline <= 0)
      bad(scenario, "algorithm.round_deadline", "must be positive (leave it out for no deadline)");
  }
  const std::int64_t min_updates = scenario.integer("algorithm.min_updates");
  if (min_updates > per_round)
    bad(scenario, "algorithm.min_updates",
        fmt::format("{} updates can never arrive with clients_per_round = {}", min_updates, per_round));
  cohort.min_updates = static_cast<std::uint32_t>(min_updates);
  config.uplink_compressor = section_compressor(scenario, "compression");
  config.downlink_compressor = section_compressor(scenario, "downlink_compression");
  config.ef21 = scenario.is_text("algorithm.error_feedback");  // "ef21", the one choice
  config.error_feedback = config.ef21 || scenario.boolean("algorithm.error_feedback");
  config.cohort.probe = scenario.boolean("algorithm.probe");
  if (config.cohort.probe && config.cohort.sampling != ClientSampling::power_of_choice)
    bad(scenario, "algorithm.probe", "probe needs sampling = \"power-of-choice\"");
  if (config.cohort.probe && config.downlink_compressor)
    bad(scenario, "algorithm.probe", "probe sends x_t itself: not with [downlink_compression]");
  if (config.error_feedback && !config.uplink_compressor && !config.downlink_compressor)
    bad(scenario, "algorithm.error_feedback",
        "error feedback needs a compressor: set compression.kind (uplink) or downlink_compression.kind");

  config.local_time_budget = scenario.duration("algorithm.local_time_budget");
  if (config.local_time_budget > 0 && config.local_steps != 1)
    bad(scenario, "algorithm.local_time_budget", "give local_steps or local_time_budget, not both");
  if (config.local_time_budget > 0 && config.local_epochs > 0)
    bad(scenario, "algorithm.local_time_budget", "give local_epochs or local_time_budget, not both");
  if (std::optional<std::vector<double>> start = chosen_initial_model(scenario, *experiment.model))
    config.initial_model = std::move(*start);
  config.late_updates = parse_late_updates(scenario.text("algorithm.late_updates"));
  config.availability = build_availability(scenario, experiment.nodes);

  AsynchronousConfig& asynchronous = config.asynchronous;
  const std::int64_t concurrency = scenario.integer("algorithm.concurrency");
  if (reads(kind, "concurrency") && concurrency > static_cast<std::int64_t>(experiment.nodes))
    bad(scenario, "algorithm.concurrency",
        fmt::format("{} clients at once, but there are {} clients (nodes)", concurrency, experiment.nodes));
  asynchronous.concurrency = static_cast<std::uint32_t>(std::min<std::int64_t>(concurrency, experiment.nodes));
  asynchronous.buffer_size =
      static_cast<std::uint32_t>(std::min<std::int64_t>(scenario.integer("algorithm.buffer_size"), 0xFFFFFFFF));
  asynchronous.weighting = parse_staleness_weighting(scenario.text("algorithm.staleness_weighting"));
  asynchronous.mixing_alpha = scenario.real("algorithm.mixing_alpha");
  asynchronous.function = parse_staleness_function(scenario.text("algorithm.staleness_function"));
  asynchronous.exponent = scenario.real("algorithm.staleness_exponent");
  asynchronous.client_timeout = scenario.duration("algorithm.client_timeout");
  if (asynchronous.client_timeout < 0) bad(scenario, "algorithm.client_timeout", "must not be negative");

  if (scenario.has("stop.target_consensus"))
    bad(scenario, "stop.target_consensus", "a federated run has one model, the server's: there is no consensus");
  if (std::uint64_t{experiment.nodes} + 1 > kMaxNodes)
    bad(scenario, "nodes", fmt::format("at most {} clients (the server is one more node)", kMaxNodes - 1));
  build_robustness(scenario, kind, config, experiment);
  read_secure_aggregation(scenario, reads(kind, "clients_per_round"), std::string(kind.name), config);
  check_ef21(scenario, kind, config);
  if (config.robust_aggregator)
    experiment.byzantine_defence = config.robust_aggregator->name();
  else if (!config.byzantine.empty())
    experiment.byzantine_defence = "mean";
  if (!experiment.byzantine_defence.empty() && config.worker_momentum > 0)
    experiment.byzantine_defence += fmt::format(", worker momentum {}", config.worker_momentum);
  // What the algorithm itself refuses is bad input too.
  at_key(scenario, "algorithm.kind", [&] {
    validate(config);
    return 0;
  });

  // DP-SGD for the clients' local steps. A client takes at most one job per
  // synchronous round, so the busiest client's steps are bounded by rounds x
  // its steps per job; the asynchronous servers give no such bound.
  std::uint64_t planned_steps = 0;
  if (reads(kind, "clients_per_round") && config.local_time_budget == 0) {
    // A parameter-server worker (the kinds without local_epochs) computes one gradient per job.
    const bool one_gradient = !reads(kind, "local_epochs");
    std::uint64_t per_job = one_gradient ? 1 : config.local_steps;
    if (config.local_epochs > 0 && !one_gradient) {
      std::uint64_t batches = 1;
      for (const auto& indices : config.batches.partition)
        batches = std::max(batches, MinibatchWalk::batches_per_epoch(indices.size(), config.batch_size));
      per_job = config.local_epochs * batches;
    }
    planned_steps = config.rounds * per_job;
  }
  if (scenario.text("privacy.mechanism") == "dp-fedavg") {
    check_user_privacy(scenario, kind, config);
    experiment.privacy =
        read_user_privacy(scenario, config.clients, config.cohort.clients_per_round, config.rounds);
    if (config.weighting == UpdateWeighting::samples) {
      std::vector<std::size_t> samples;
      for (const auto& indices : config.batches.partition) samples.push_back(indices.size());
      weigh_user_privacy(scenario, samples, config.cohort.clients_per_round, experiment.privacy);
    }
    config.user_privacy = experiment.privacy.user;
  } else if (scenario.text("privacy.mechanism") == "local-dp") {
    // Local DP on the uploads: one message per job, at most one job per client a synchronous round.
    // The kinds set rule.control_variates when they build; SCAFFOLD is the one with control variates.
    if (kind.name == "scaffold")
      bad(scenario, "privacy.mechanism",
          fmt::format("local-dp noises the model update; {}'s control variates would leave the client unprotected",
                      kind.name));
    if (config.cohort.sampling == ClientSampling::power_of_choice)
      bad(scenario, "algorithm.sampling",
          "power-of-choice clients report their loss to the server in the clear; local-dp protects only the update");
    if (!config.byzantine.empty())
      bad(scenario, "byzantine.count", "local-dp is not combined with Byzantine clients");
    const std::uint64_t planned_messages = reads(kind, "clients_per_round") ? config.rounds : 0;
    experiment.privacy = read_message_privacy(scenario, config.clients, planned_messages, std::string(kind.name),
                                              "update (the client's model change, after worker momentum)");
    config.message_privacy = experiment.privacy.message;
  } else {
    experiment.privacy = read_privacy(scenario, config.batches.partition, config.batch_size, planned_steps, true,
                                      static_cast<bool>(config.batches.generate), std::string(kind.name));
    config.privacy = experiment.privacy.sample;
  }

  experiment.evaluated_models = 1;
  experiment.metric_columns = kind.metric_columns;
  add_client_accuracy(scenario, experiment, config);
  if (SynchronousFederated::reports_aggregate_error(config)) experiment.metric_columns.push_back("aggregate_error");
  if (config.secure_aggregation.active())
    experiment.metric_columns.insert(experiment.metric_columns.end(), {"secagg_bits", "secagg_s"});
  auto shared = std::make_shared<const FederatedConfig>(std::move(config));
  experiment.make_behaviour = [shared, make = kind.make](const Experiment& built, RoundSnapshots* snapshots) {
    // The crashes are known once the engine's faults are built (after build()),
    // and so is the compute model the clients plan budgeted steps with.
    FederatedConfig config = *shared;
    for (const auto& [node, time] : built.engine.faults.crashes)
      if (node < config.clients) config.crashes.emplace_back(node, time);
    if (config.local_time_budget > 0) config.compute = built.engine.compute;
    return make(std::move(config), snapshots);
  };
}

// The server: one more engine node, with its own NIC, latency and compute rate.
void add_server(const Scenario& scenario, Experiment& experiment) {
  EngineConfig& engine = experiment.engine;
  const NodeId server = experiment.nodes;
  engine.nodes = experiment.nodes + 1;
  const std::int64_t bandwidth = scenario.rate_bps("server.bandwidth");
  NetworkConfig& network = engine.network;
  network.uplink_bps.resize(experiment.nodes, kUnlimitedBandwidth);
  network.downlink_bps.resize(experiment.nodes, kUnlimitedBandwidth);
  network.uplink_bps.push_back(scenario.has("server.uplink") ? scenario.rate_bps("server.uplink") : bandwidth);
  network.downlink_bps.push_back(scenario.has("server.downlink") ? scenario.rate_bps("server.downlink") : bandwidth);
  if (scenario.has("server.latency")) {
    network.latency.hub = server;
    network.latency.hub_latency = scenario.duration("server.latency");
  }
  ComputeConfig& compute = engine.compute;
  const double speed = scenario.real("server.speed");
  if (compute.speed_factor.empty() && speed != 1.0) compute.speed_factor.assign(experiment.nodes, 1.0);
  if (!compute.speed_factor.empty()) compute.speed_factor.push_back(speed);
}

}  // namespace

const AlgorithmFamily& federated_family() {
  static const AlgorithmFamily family = [] {
    AlgorithmFamily federated;
    federated.name = "federated";
    for (const FederatedKind& kind : federated_algorithms())
      federated.kinds.emplace_back(std::string(kind.name), std::string(kind.help));
    federated.keys = federated_keys();
    federated.sections = {"server", "availability", "downlink_compression", "aggregator"};
    federated.section_specs = {server_section(), availability_section(), downlink_section(), aggregator_section()};
    federated.byzantine = true;
    federated.build = build;
    federated.finish_engine = add_server;
    return federated;
  }();
  return family;
}

}  // namespace dlsim
