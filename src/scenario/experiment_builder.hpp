// Building the experiment a scenario describes: the graph and its mixing
// weights, the data and its partition, the model, the engine's network,
// compute and fault models, and the algorithm's configuration. Every problem
// found here is bad input: a ScenarioError naming the file, line, column and
// key path (exit status 2), raised before anything runs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "algorithms/decentralized/config.hpp"
#include "algorithms/decentralized/registry.hpp"
#include "algorithms/learning_behaviour.hpp"
#include "algorithms/round_snapshots.hpp"
#include "data/dataset.hpp"
#include "models/model.hpp"
#include "scenario/privacy_section.hpp"
#include "scenario/scenario.hpp"
#include "sim/engine.hpp"
#include "topologies/flat_mixing.hpp"
#include "topologies/graph.hpp"
#include "topologies/mixing.hpp"

namespace dlsim {

struct AlgorithmFamily;
struct Experiment;

// Makes the behaviour that serves every engine node; `snapshots` (may be
// null) outlives it.
using BehaviourMaker = std::function<std::unique_ptr<LearningBehaviour>(const Experiment&, RoundSnapshots*)>;

struct Experiment {
  std::uint32_t nodes = 0;  // the scenario's nodes: decentralized nodes, or federated clients
  Graph graph;          // for a time-varying kind: the union of one period; empty without a topology
  SparseMatrix mixing;  // W of `graph` (what spectral figures describe)
  // W is a digraph's column-stochastic one (topologies/digraph.hpp): spectral
  // figures are its SLEM, and `graph` is the digraph's underlying graph.
  bool directed = false;
  SharedDataset train, test;
  std::shared_ptr<const Model> model;
  EngineConfig engine;
  const AlgorithmFamily* family = nullptr;
  BehaviourMaker make_behaviour;
  // Models in a metrics snapshot: every node's, or the federated server's one.
  std::uint32_t evaluated_models = 0;
  // Columns the family adds to metrics.csv (LearningBehaviour::metric_values).
  std::vector<std::string> metric_columns;
  // Columns measured on the evaluated models themselves, after
  // metric_columns (the federated family's client accuracy distribution), and
  // what appends their values to a row; off the simulated clock, the values
  // bit-identical for any thread count. Empty / null when none.
  std::vector<std::string> model_metric_columns;
  std::function<void(std::span<const std::vector<double>> models, std::vector<double>& row)> model_metric_values;
  // The decentralized family's algorithm and configuration (the data's
  // partition is in config.batches for every family).
  const AlgorithmKind* algorithm = nullptr;
  DecentralizedConfig config;
  bool gamma_auto = false;  // algorithm.gamma = "auto": tune before the run
  // Byzantine evaluated models (ascending): metrics are over the others only.
  std::vector<NodeId> byzantine;
  std::string byzantine_attack;   // describe_attack(), for summary.json
  std::string byzantine_defence;  // e.g. "trimmed-mean(b=1)"
  std::string byzantine_placement;
  // The [privacy] section as resolved: DP-SGD and its accountant's ledger.
  PrivacyChoice privacy;
  // The flat gossip path (scenario/flat_gossip_path.hpp), null otherwise: W
  // as flat arrays (config.mixing is then empty, and so are `graph` and
  // `mixing` when the ring was built straight into it), and every node's
  // initial model, node after node.
  std::shared_ptr<const FlatMixing> flat_mixing;
  std::vector<double> flat_initial_models;
  // The partition is data.partition = "contiguous" read as ranges (node i
  // holds samples [i s / n, (i + 1) s / n)); config.batches.partition is empty.
  bool contiguous_ranges = false;
};

// Throws ScenarioError for anything the scenario's values cannot build.
Experiment build_experiment(const Scenario& scenario, int threads);

// Whether run_scenario computes f* (the minimum of the training loss) before
// the run: nullopt when it does, otherwise why not, as summary.json's
// optimum_note says it ("" when metrics.optimum is off).
std::optional<std::string> optimum_skipped(const Scenario& scenario, const Experiment& experiment);

// Throws ScenarioError when a key that needs f* is set and f* is not computed.
void check_optimum_available(const Scenario& scenario, const Experiment& experiment);

// Every check run_scenario makes before it starts, without running anything
// or writing a file: builds the experiment (reading its data and graph
// files) and discards it. What `dlsim validate` and the sweep's check of
// every point call. Throws ScenarioError.
void check_experiment(const Scenario& scenario);

// A ScenarioError at `path` ("file:line:column: path: what").
[[noreturn]] void fail_at_key(const Scenario& scenario, std::string_view path, std::string_view what);

}  // namespace dlsim
