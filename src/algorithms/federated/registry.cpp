// The table of federated algorithms; see registry.hpp.
//
// FedAvg: McMahan, Moore, Ramage, Hampson, Aguera y Arcas, "Communication-
//   efficient learning of deep networks from decentralized data", AISTATS 2017.
// FedProx: Li, Sahu, Zaheer, Sanjabi, Talwalkar, Smith, "Federated
//   optimization in heterogeneous networks", MLSys 2020.
// SCAFFOLD: Karimireddy, Kale, Mohri, Reddi, Stich, Suresh, "SCAFFOLD:
//   stochastic controlled averaging for federated learning", ICML 2020.
// FedNova: Wang, Liu, Liang, Joshi, Poor, "Tackling the objective
//   inconsistency problem in heterogeneous federated optimization", NeurIPS 2020.
// Each runs on the synchronous server (synchronous_rounds.hpp) with any
// server optimiser (Reddi et al., ICLR 2021; server_optimizer.hpp).
#include "algorithms/federated/registry.hpp"

#include <fmt/core.h>

#include <stdexcept>
#include <string>

#include "algorithms/federated/synchronous_rounds.hpp"

namespace dlsim {
namespace {

std::vector<FederatedKind> make_table() {
  std::vector<FederatedKind> kinds;
  auto synchronous = [](bool proximal, bool control_variates, bool normalized = false) {
    return [proximal, control_variates, normalized](FederatedConfig config, RoundSnapshots* snapshots) {
      if (!proximal) config.rule.proximal_mu = 0;
      config.rule.control_variates = control_variates;
      config.rule.normalized_averaging = normalized;
      return std::unique_ptr<LearningBehaviour>(std::make_unique<SynchronousFederated>(std::move(config), snapshots));
    };
  };
  const std::vector<std::string> columns = SynchronousFederated::metric_columns();
  kinds.push_back({"fedavg", "federated averaging of local SGD (McMahan et al., AISTATS 2017)", false, false,
                   synchronous(false, false), columns});
  kinds.push_back({"fedprox", "FedAvg with a proximal term mu/2 ||y - x||^2 in the local objective (Li et al., MLSys 2020)",
                   true, false, synchronous(true, false), columns});
  kinds.push_back({"scaffold", "FedAvg with control variates against client drift (Karimireddy et al., ICML 2020)",
                   false, true, synchronous(false, true), columns});
  kinds.push_back({"fednova",
                   "FedAvg with normalised averaging: updates divided by the client's local work a_i, the mean "
                   "rescaled by tau_eff (Wang et al., NeurIPS 2020)",
                   false, false, synchronous(false, false, true), columns});
  return kinds;
}

}  // namespace

const std::vector<FederatedKind>& federated_algorithms() {
  static const std::vector<FederatedKind> kinds = make_table();
  return kinds;
}

const FederatedKind& find_federated_algorithm(std::string_view name) {
  std::string names;
  for (const FederatedKind& kind : federated_algorithms()) {
    if (kind.name == name) return kind;
    names += (names.empty() ? "" : ", ") + std::string(kind.name);
  }
  throw std::invalid_argument(fmt::format("unknown federated algorithm \"{}\" (one of: {})", name, names));
}

}  // namespace dlsim
