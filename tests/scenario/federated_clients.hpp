// The small federated scenario the scenario-level federated tests start from:
// 20 clients with logistic-regression data sorted by label (non-iid), 5 a
// round, 3 local steps, 30 rounds, a metrics row every 10.
#pragma once

#include <string>

namespace dlsim::test {

inline const std::string kTwentyClients = R"(
    name = "federated"
    nodes = 20
    [data]
    samples = 2000
    test_samples = 200
    features = 10
    partition = "sorted"
    [algorithm]
    kind = "fedavg"
    clients_per_round = 5
    local_steps = 3
    learning_rate = 0.5
    [stop]
    rounds = 30
    [metrics]
    every_rounds = 10
  )";

}  // namespace dlsim::test
