// The asynchronous servers' tests build their runs by kind name and look at
// the server behind the behaviour; shared by the asynchronous federated tests.
#pragma once

#include <memory>
#include <string_view>

#include "algorithms/federated/asynchronous_server.hpp"
#include "algorithms/federated/registry.hpp"
#include "federated_fixture.hpp"

namespace dlsim::federated_testing {

inline std::unique_ptr<LearningBehaviour> make(std::string_view kind, const FederatedConfig& config,
                                               RoundSnapshots* snapshots = nullptr) {
  return find_federated_algorithm(kind).make(config, snapshots);
}

inline AsynchronousFederated& server_of(std::unique_ptr<LearningBehaviour>& behaviour) {
  return dynamic_cast<AsynchronousFederated&>(*behaviour);
}

}  // namespace dlsim::federated_testing
