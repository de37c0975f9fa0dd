// Names and checks of the federated configuration; see config.hpp.
#include "algorithms/federated/config.hpp"

#include <fmt/core.h>

#include <cmath>
#include <stdexcept>

#include "sim/random.hpp"

namespace dlsim {
namespace {

void require(bool ok, std::string_view what) {
  if (!ok) throw std::invalid_argument(std::string(what));
}

bool in_unit_interval(double value) { return value >= 0 && value < 1; }

}  // namespace

std::string_view sampling_name(ClientSampling sampling) {
  switch (sampling) {
    case ClientSampling::uniform: return "uniform";
    case ClientSampling::weighted: return "weighted";
    case ClientSampling::round_robin: return "round-robin";
    case ClientSampling::power_of_choice: return "power-of-choice";
    case ClientSampling::poisson: return "poisson";
  }
  return "uniform";
}

ClientSampling parse_sampling(std::string_view name) {
  for (ClientSampling sampling : {ClientSampling::uniform, ClientSampling::weighted, ClientSampling::round_robin,
                                  ClientSampling::power_of_choice, ClientSampling::poisson})
    if (sampling_name(sampling) == name) return sampling;
  throw std::invalid_argument(
      fmt::format("unknown client sampling \"{}\" (uniform, weighted, round-robin, power-of-choice or poisson)", name));
}

std::string_view server_optimizer_name(ServerOptimizerKind kind) {
  switch (kind) {
    case ServerOptimizerKind::sgd: return "sgd";
    case ServerOptimizerKind::momentum: return "momentum";
    case ServerOptimizerKind::adam: return "adam";
    case ServerOptimizerKind::yogi: return "yogi";
    case ServerOptimizerKind::adagrad: return "adagrad";
  }
  return "sgd";
}

ServerOptimizerKind parse_server_optimizer(std::string_view name) {
  for (ServerOptimizerKind kind : {ServerOptimizerKind::sgd, ServerOptimizerKind::momentum, ServerOptimizerKind::adam,
                                   ServerOptimizerKind::yogi, ServerOptimizerKind::adagrad})
    if (server_optimizer_name(kind) == name) return kind;
  throw std::invalid_argument(
      fmt::format("unknown server optimizer \"{}\" (sgd, momentum, adam, yogi or adagrad)", name));
}

UpdateWeighting parse_weighting(std::string_view name) {
  if (name == "samples") return UpdateWeighting::samples;
  if (name == "uniform") return UpdateWeighting::uniform;
  throw std::invalid_argument(fmt::format("unknown weighting \"{}\" (samples or uniform)", name));
}

StalenessWeighting parse_staleness_weighting(std::string_view name) {
  if (name == "constant") return StalenessWeighting::constant;
  if (name == "sqrt") return StalenessWeighting::inverse_sqrt;
  throw std::invalid_argument(fmt::format("unknown staleness weighting \"{}\" (constant or sqrt)", name));
}

StalenessFunction parse_staleness_function(std::string_view name) {
  if (name == "constant") return StalenessFunction::constant;
  if (name == "polynomial") return StalenessFunction::polynomial;
  throw std::invalid_argument(fmt::format("unknown staleness function \"{}\" (constant or polynomial)", name));
}

std::vector<double> initial_server_model(const FederatedConfig& config) {
  if (!config.initial_model.empty()) return config.initial_model;
  std::vector<double> x(config.model->dimension(), 0.0);
  RandomStream init(config.seed, 0, purpose_id("model.init"));
  config.model->initialize(x, init);
  return x;
}

LateUpdates parse_late_updates(std::string_view name) {
  if (name == "drop") return LateUpdates::drop;
  if (name == "stale") return LateUpdates::stale;
  throw std::invalid_argument(fmt::format("unknown late_updates \"{}\" (drop or stale)", name));
}

void validate(const FederatedConfig& config) {
  require(config.clients >= 1, "at least one client is needed");
  require(config.model != nullptr, "a model is needed");
  const CohortConfig& cohort = config.cohort;
  require(cohort.clients_per_round >= 1, "clients_per_round must be at least 1");
  require(cohort.clients_per_round <= config.clients,
          fmt::format("clients_per_round = {} is more than the {} clients", cohort.clients_per_round, config.clients));
  require(std::isfinite(cohort.over_commit) && cohort.over_commit >= 0,
          fmt::format("over_commit must be at least 0, got {}", cohort.over_commit));
  require(cohort.round_deadline >= 0, "round_deadline must not be negative");
  if (cohort.probe) {
    require(cohort.sampling == ClientSampling::power_of_choice, "probe needs sampling = power-of-choice");
    require(!config.batches.generate, "probe needs stored data (a client's loss on its own samples)");
    require(!config.downlink_compressor, "probe sends x_t itself: not with a downlink compressor");
  }
  require(cohort.min_updates >= 1 && cohort.min_updates <= cohort.clients_per_round,
          fmt::format("min_updates must be in [1, clients_per_round = {}], got {}", cohort.clients_per_round,
                      cohort.min_updates));
  require(config.batch_size >= 1, "batch_size must be at least 1");
  require(config.local_steps >= 1, "local_steps must be at least 1");
  require(config.local_epochs == 0 || !config.batches.generate,
          "local_epochs needs stored data (generated samples have no epochs): use local_steps");
  require(config.local_time_budget >= 0, "local_time_budget must not be negative");
  require(config.local_time_budget == 0 || config.local_epochs == 0,
          "give local_time_budget or local_epochs, not both");
  require(!config.error_feedback || config.uplink_compressor || config.downlink_compressor,
          "error_feedback needs a compressor on the uplink or the downlink");
  if (config.ef21) {
    require(config.error_feedback, "ef21 is a kind of error_feedback: set error_feedback too");
    require(config.uplink_compressor != nullptr, "error_feedback = ef21 needs an uplink compressor ([compression])");
    require(config.late_updates == LateUpdates::drop,
            "error_feedback = ef21 folds every update it receives into its estimate: leave late_updates at drop");
    require(!config.robust_aggregator && config.byzantine.empty(),
            "error_feedback = ef21 is not defined with a robust aggregator or Byzantine clients");
  }
  if (config.local_time_budget > 0 && !config.compute.speed_factor.empty())
    require(config.compute.speed_factor.size() >= config.clients, "the compute model has fewer speed factors than clients");
  require(in_unit_interval(config.worker_momentum), "worker_momentum must be in [0, 1)");
  require(std::isfinite(config.rule.proximal_mu) && config.rule.proximal_mu >= 0, "mu must not be negative");
  const ServerOptimizerConfig& server = config.server;
  require(std::isfinite(server.learning_rate) && server.learning_rate > 0, "server_lr must be positive");
  require(in_unit_interval(server.momentum), "server_momentum must be in [0, 1)");
  require(in_unit_interval(server.beta1), "server_beta1 must be in [0, 1)");
  require(in_unit_interval(server.beta2), "server_beta2 must be in [0, 1)");
  require(std::isfinite(server.tau) && server.tau > 0, "server_tau must be positive");
  const AsynchronousConfig& asynchronous = config.asynchronous;
  // The asynchronous servers also refuse a concurrency above the clients (the synchronous ones ignore it).
  require(asynchronous.concurrency >= 1, "concurrency must be at least 1");
  require(asynchronous.buffer_size >= 1, "buffer_size must be at least 1");
  require(asynchronous.client_timeout >= 0, "client_timeout must not be negative");
  require(std::isfinite(asynchronous.mixing_alpha) && asynchronous.mixing_alpha > 0 && asynchronous.mixing_alpha <= 1,
          fmt::format("mixing_alpha must be in (0, 1], got {}", asynchronous.mixing_alpha));
  require(std::isfinite(asynchronous.exponent) && asynchronous.exponent >= 0,
          fmt::format("staleness_exponent must not be negative, got {}", asynchronous.exponent));
  validate(config.local);
  if (!config.batches.generate) {
    require(config.batches.data != nullptr, "training data is needed");
    require(config.batches.partition.size() == config.clients,
            fmt::format("the partition has {} parts for {} clients", config.batches.partition.size(), config.clients));
    for (std::uint32_t client = 0; client < config.clients; ++client)
      require(!config.batches.partition[client].empty(), fmt::format("client {} holds no training samples", client));
  }
  validate(config.availability, config.clients);
  const UserPrivacy& user = config.user_privacy;
  if (user.enabled) {
    require(cohort.sampling == ClientSampling::poisson, "DP-FedAvg needs Poisson client sampling");
    require(user.clip_norm > 0, "DP-FedAvg's clip norm must be > 0");
    require(user.noise_multiplier >= 0 && std::isfinite(user.noise_multiplier),
            "DP-FedAvg's noise multiplier must be >= 0");
    require(user.noise_multiplier == 0 || std::isfinite(user.clip_norm), "DP-FedAvg's noise needs a finite clip norm");
    require(user.expected_cohort > 0, "DP-FedAvg's expected cohort must be > 0");
    if (user.adaptive) {
      require(std::isfinite(user.clip_norm), "adaptive clipping needs a finite initial clip norm");
      require(user.target_quantile >= 0 && user.target_quantile <= 1, "the target quantile must be in [0, 1]");
      require(user.clip_learning_rate > 0 && std::isfinite(user.clip_learning_rate),
              "the clip learning rate must be > 0");
      require(user.count_noise >= 0 && user.update_noise_multiplier >= 0, "adaptive clipping's noise must be >= 0");
    }
    require(!config.robust_aggregator && config.byzantine.empty(),
            "DP-FedAvg sums the clipped updates: no robust aggregator or Byzantine clients");
    require(!config.rule.control_variates && !config.rule.normalized_averaging,
            "DP-FedAvg protects the model updates only (no control variates, no FedNova normalisation)");
  }
  if (!config.initial_model.empty())
    require(config.initial_model.size() == config.model->dimension(), "the initial model has the wrong dimension");
  if (config.secure_aggregation.active()) {
    // What the server cannot do when it sees only the sum of the masked updates.
    validate(config.secure_aggregation);
    require(!config.uplink_compressor,
            "secure aggregation masks dense vectors in a common ring: no uplink compressor");
    require(!config.robust_aggregator,
            "secure aggregation gives the server only the sum: no robust aggregator (they need each update)");
    require(config.attack.kind == AttackKind::none || !attack_uses_honest(config.attack.kind) || config.byzantine.empty(),
            "secure aggregation hides the honest updates from the server: no attack that reads them");
    require(config.late_updates == LateUpdates::drop,
            "secure aggregation unmasks a round's updates in that round only: late_updates must be drop");
    require(!config.cohort.probe, "secure aggregation is not combined with power-of-choice's probe round (yet)");
    require(!config.ef21, "secure aggregation gives the server only the sum: no EF21 (it keeps each client's estimate)");
    require(!config.user_privacy.enabled,
            "secure aggregation gives the server only the sum: no DP-FedAvg (it clips each update at the server)");
  }
}

}  // namespace dlsim
