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
// FedBuff (Nguyen et al., AISTATS 2022), FedAsync (Xie, Koyejo, Gupta 2019)
// and parameter-server SGD run on the asynchronous server
// (asynchronous_server.hpp); their papers are cited in fedbuff.cpp,
// fedasync.cpp and parameter_server.cpp.
#include "algorithms/federated/registry.hpp"

#include <fmt/core.h>

#include <stdexcept>
#include <string>

#include "algorithms/federated/asynchronous_server.hpp"
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
  auto asynchronous = [](bool proximal, bool sends_gradient, AsynchronousFederated::StepFactory make_step) {
    return [proximal, sends_gradient, make_step](FederatedConfig config, RoundSnapshots* snapshots) {
      if (!proximal) config.rule.proximal_mu = 0;
      config.rule.control_variates = false;
      config.rule.sends_gradient = sends_gradient;
      return std::unique_ptr<LearningBehaviour>(
          std::make_unique<AsynchronousFederated>(std::move(config), snapshots, make_step));
    };
  };
  const std::vector<std::string> columns = SynchronousFederated::metric_columns();
  const std::vector<std::string> asynchronous_columns = AsynchronousFederated::metric_columns();
  const std::vector<std::string_view> server_optimizer{"server_optimizer", "server_lr",   "server_momentum",
                                                       "server_beta1",     "server_beta2", "server_tau"};
  const std::vector<std::string_view> cohort{"clients_per_round", "over_commit", "round_deadline", "min_updates",
                                             "late_updates", "probe"};
  const std::vector<std::string_view> fedbuff{"buffer_size", "staleness_weighting"};
  const std::vector<std::string_view> fedasync{"mixing_alpha", "staleness_function", "staleness_exponent"};
  auto join = [](std::initializer_list<std::vector<std::string_view>> lists) {
    std::vector<std::string_view> keys;
    for (const auto& list : lists) keys.insert(keys.end(), list.begin(), list.end());
    return keys;
  };
  const std::vector<std::string_view> asynchronous_keys = join({{"concurrency", "client_timeout"}, fedbuff, fedasync});
  // The synchronous kinds weight their stale late updates by FedAsync's s(tau).
  const std::vector<std::string_view> synchronous_ignores =
      join({{"concurrency", "client_timeout", "mixing_alpha"}, fedbuff});
  kinds.push_back({"fedavg", "federated averaging of local SGD (McMahan et al., AISTATS 2017)", false, false,
                   synchronous(false, false), columns, synchronous_ignores});
  kinds.push_back({"fedprox", "FedAvg with a proximal term mu/2 ||y - x||^2 in the local objective (Li et al., MLSys 2020)",
                   true, false, synchronous(true, false), columns, synchronous_ignores});
  kinds.push_back({"scaffold", "FedAvg with control variates against client drift (Karimireddy et al., ICML 2020)",
                   false, true, synchronous(false, true), columns, synchronous_ignores});
  kinds.push_back({"fednova",
                   "FedAvg with normalised averaging: updates divided by the client's local work a_i, the mean "
                   "rescaled by tau_eff (Wang et al., NeurIPS 2020)",
                   false, false, synchronous(false, false, true), columns, synchronous_ignores});
  kinds.push_back({"fedbuff",
                   "asynchronous: concurrency clients train at once, the server steps on the staleness-weighted "
                   "average of every buffer_size updates (Nguyen et al., AISTATS 2022)",
                   false, false, asynchronous(false, false, make_fedbuff_step), asynchronous_columns,
                   join({cohort, fedasync})});
  kinds.push_back({"fedasync",
                   "asynchronous: each client model y is mixed in as it arrives, x <- (1 - a) x + a y with a = "
                   "mixing_alpha s(staleness) (Xie, Koyejo, Gupta 2019)",
                   true, false, asynchronous(true, false, make_fedasync_step), asynchronous_columns,
                   join({cohort, fedbuff, {"weighting"}, server_optimizer})});
  // Every client is a worker with one gradient per step, and the server's
  // optimiser is the [algorithm] one.
  const std::vector<std::string_view> parameter_server =
      join({cohort, asynchronous_keys, {"sampling", "candidates", "local_epochs", "local_time_budget", "weighting"},
            server_optimizer});
  kinds.push_back({"ps-sgd",
                   "parameter server: every client computes a minibatch gradient, the server averages one from "
                   "each and steps (synchronous SGD on the union of the batches)",
                   false, false,
                   asynchronous(false, true,
                                [](const FederatedConfig& config) { return make_parameter_server_step(config, true); }),
                   asynchronous_columns, parameter_server});
  kinds.push_back({"ps-async-sgd",
                   "parameter server: the server steps with each client's gradient as it arrives, however stale, "
                   "and sends that client the new model (Downpour SGD, Dean et al., NeurIPS 2012)",
                   false, false,
                   asynchronous(false, true,
                                [](const FederatedConfig& config) { return make_parameter_server_step(config, false); }),
                   asynchronous_columns, parameter_server});
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
