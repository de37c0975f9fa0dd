// Small federated runs built directly from the algorithm classes, shared by
// the federated tests: a logistic-regression configuration, an engine with
// 1 ms links and unlimited bandwidth, running to the end, comparing models.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "algorithms/federated/config.hpp"
#include "algorithms/learning_behaviour.hpp"
#include "data/partition.hpp"
#include "data/synthetic.hpp"
#include "models/logistic.hpp"
#include "sim/engine.hpp"
#include "sim/random.hpp"

namespace dlsim::federated_testing {

inline constexpr SimTime kLatency = 1'000'000;  // 1 ms

// Binary logistic regression (l2 = 1e-3), 10 features, split over `clients`;
// every client in every round, eta = 0.5.
inline FederatedConfig logistic_config(std::uint32_t clients, std::size_t samples, Partition partition) {
  RandomStream rng(3, 0, purpose_id("test.data"));
  FederatedConfig config;
  config.clients = clients;
  config.seed = 5;
  config.model = std::make_shared<LogisticRegression>(10, 1e-3);
  config.batches.data = std::make_shared<const Dataset>(make_logistic(LogisticSpec{samples, 10, 0.0, 0.05}, rng));
  config.batches.partition = std::move(partition.indices);
  config.cohort.clients_per_round = clients;
  config.local.schedule.base = 0.5;
  return config;
}

// The same, every client holding all `samples` samples: identical client objectives.
inline FederatedConfig identical_clients_config(std::uint32_t clients, std::size_t samples) {
  Partition same;
  std::vector<std::uint32_t> all(samples);
  std::iota(all.begin(), all.end(), 0u);
  same.indices.assign(clients, all);
  return logistic_config(clients, samples, same);
}

// The clients and the server; bandwidth unlimited: transfers take the latency only.
inline EngineConfig engine_for(std::uint32_t clients, int threads = 1) {
  EngineConfig engine;
  engine.nodes = clients + 1;
  engine.threads = threads;
  engine.network.latency.base = kLatency;
  return engine;
}

// Runs the behaviour until no event is left.
inline void run_all(LearningBehaviour& behaviour, const EngineConfig& engine_config) {
  Engine engine(engine_config);
  engine.set_behaviour_all(&behaviour);
  while (engine.run_until(kNever - 1) == RunOutcome::stop_requested) {
  }
}

inline std::vector<double> server_model(const LearningBehaviour& behaviour) {
  return {behaviour.model(0).begin(), behaviour.model(0).end()};
}

inline double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0;
  for (std::size_t k = 0; k < a.size(); ++k) worst = std::max(worst, std::abs(a[k] - b[k]));
  return worst;
}

inline double distance(const std::vector<double>& a, const std::vector<double>& b) {
  double total = 0;
  for (std::size_t k = 0; k < a.size(); ++k) total += (a[k] - b[k]) * (a[k] - b[k]);
  return std::sqrt(total);
}

// A figure of the run's summary by name; -1 when the run has none of that name.
inline double summary_figure(const LearningBehaviour& behaviour, const std::string& name) {
  for (const auto& [key, value] : behaviour.summary_figures())
    if (key == name) return value;
  return -1.0;
}

}  // namespace dlsim::federated_testing
