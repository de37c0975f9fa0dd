// Every federated algorithm by the name scenario files use. The scenario's
// federated family builds its keys and checks from this table, so each rule
// is stated once.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "algorithms/federated/config.hpp"
#include "algorithms/learning_behaviour.hpp"
#include "algorithms/round_snapshots.hpp"

namespace dlsim {

struct FederatedKind {
  std::string_view name;
  std::string_view help;        // one line, with the paper
  bool proximal = false;        // reads mu
  bool control_variates = false;
  // Builds the behaviour (server and clients); std::invalid_argument for a
  // config it cannot run. The kind sets config.rule from its flags.
  std::function<std::unique_ptr<LearningBehaviour>(FederatedConfig, RoundSnapshots*)> make;
  // The columns its behaviour adds to metrics.csv (LearningBehaviour::metric_values).
  std::vector<std::string> metric_columns;
};

// fedavg, fedprox, scaffold, fednova.
const std::vector<FederatedKind>& federated_algorithms();
// The kind called `name`; std::invalid_argument listing the kinds otherwise.
const FederatedKind& find_federated_algorithm(std::string_view name);

}  // namespace dlsim
