// Small decentralized experiments built directly from the algorithm classes,
// for tests that check an algorithm against what is known about it.
#pragma once

#include <cmath>
#include <memory>
#include <numeric>
#include <vector>

#include "algorithms/decentralized/config.hpp"
#include "algorithms/decentralized/mixing_rows.hpp"
#include "algorithms/decentralized/round_based.hpp"
#include "data/partition.hpp"
#include "data/synthetic.hpp"
#include "metrics/evaluation.hpp"
#include "models/consensus.hpp"
#include "models/logistic.hpp"
#include "sim/engine.hpp"
#include "sim/random.hpp"
#include "topologies/generators.hpp"
#include "topologies/mixing.hpp"

namespace dlsim::testing {

// Random x_i in R^d (standard normal), one per node: the consensus problem
// of Koloskova et al. 2019's experiments.
inline std::vector<std::vector<double>> random_vectors(std::uint32_t nodes, std::size_t d, std::uint64_t seed) {
  RandomStream rng(seed, 0, purpose_id("test.vectors"));
  std::vector<std::vector<double>> x(nodes, std::vector<double>(d));
  for (auto& row : x)
    for (double& value : row) value = rng.normal();
  return x;
}

// Average consensus of the given vectors over W.
inline DecentralizedConfig consensus_config(const SparseMatrix& w, std::vector<std::vector<double>> x,
                                            std::uint64_t rounds) {
  DecentralizedConfig config;
  config.nodes = static_cast<std::uint32_t>(x.size());
  config.mixing = fixed_mixing(w);
  config.rounds = rounds;
  config.model = std::make_shared<AverageConsensus>(x.front().size());
  config.initial_models = std::move(x);
  return config;
}

// The tests' network: 1 Gbit/s up and down per node, a constant latency (1 ms).
inline EngineConfig gigabit_network(std::uint32_t nodes, int threads = 1, SimTime latency = 1'000'000) {
  EngineConfig engine_config;
  engine_config.nodes = nodes;
  engine_config.threads = threads;
  engine_config.network.latency.base = latency;
  engine_config.network.uplink_bps.assign(nodes, 1'000'000'000);
  engine_config.network.downlink_bps.assign(nodes, 1'000'000'000);
  return engine_config;
}

// Runs until every node has done its rounds (or the queue empties).
inline EngineStats run_all(DecentralizedAlgorithm& algorithm, std::uint32_t nodes, int threads = 1,
                           SimTime latency = 1'000'000) {
  Engine engine(gigabit_network(nodes, threads, latency));
  engine.set_behaviour_all(&algorithm);
  while (engine.run_until(kNever - 1) == RunOutcome::stop_requested) {
  }
  return engine.stats();
}

// Binary logistic regression (l2 = 1e-3), 20 features, 100 samples per node.
inline DecentralizedConfig logistic_config(const Graph& graph, std::uint64_t rounds, double learning_rate,
                                           bool sorted_by_label = false) {
  const auto nodes = static_cast<std::uint32_t>(boost::num_vertices(graph));
  RandomStream rng(3, 0, purpose_id("test.data"));
  auto data = std::make_shared<const Dataset>(make_logistic(LogisticSpec{100 * nodes, 20, 0.0, 0.05}, rng));
  DecentralizedConfig config;
  config.nodes = nodes;
  config.seed = 5;
  config.mixing = fixed_mixing(mixing_matrix(graph, MixingRule::metropolis));
  config.rounds = rounds;
  config.model = std::make_shared<LogisticRegression>(20, 1e-3);
  config.batches.data = data;
  config.batches.partition = sorted_by_label ? partition_sorted_by_label(*data, nodes).indices
                                             : partition_contiguous(data->size(), nodes).indices;
  config.batch_size = 8;
  config.optimizer.schedule.base = learning_rate;
  return config;
}

inline std::vector<std::vector<double>> models_of(const DecentralizedAlgorithm& algorithm, std::uint32_t nodes) {
  std::vector<std::vector<double>> models;
  for (NodeId node = 0; node < nodes; ++node)
    models.emplace_back(algorithm.model(node).begin(), algorithm.model(node).end());
  return models;
}

// (1/n) sum_i ||x_i - x_bar||^2
inline double consensus_distance(const std::vector<std::vector<double>>& models) {
  const std::vector<double> mean = average_model(models);
  double total = 0;
  for (const auto& x : models)
    for (std::size_t k = 0; k < x.size(); ++k) total += (x[k] - mean[k]) * (x[k] - mean[k]);
  return total / static_cast<double>(models.size());
}

inline double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0;
  for (std::size_t k = 0; k < a.size(); ++k) worst = std::max(worst, std::abs(a[k] - b[k]));
  return worst;
}

}  // namespace dlsim::testing
