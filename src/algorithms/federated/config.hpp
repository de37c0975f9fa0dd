// What every federated algorithm is given: the clients' data and local
// optimiser, what a client changes in its local objective, the server's
// optimiser, how cohorts are chosen and closed, and the uplink encoding.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "algorithms/batch_source.hpp"
#include "algorithms/federated/availability.hpp"
#include "algorithms/federated/secure_aggregation.hpp"
#include "algorithms/local_optimizer.hpp"
#include "compress/compressor.hpp"
#include "models/model.hpp"
#include "privacy/dp_fedavg.hpp"
#include "privacy/dp_sgd.hpp"
#include "privacy/local_dp.hpp"
#include "robust/aggregator.hpp"
#include "robust/byzantine_attack.hpp"
#include "sim/engine.hpp"
#include "sim/time.hpp"

namespace dlsim {

// How a round's cohort is drawn from the clients that are not busy.
enum class ClientSampling {
  uniform,      // uniformly without replacement
  weighted,     // without replacement, with probabilities proportional to the sample count
  round_robin,  // the next clients in id order, wrapping around
  // Power of choice (Cho, Wang, Joshi, AISTATS 2022), its communication-free
  // variant rpow-d: d candidates drawn by sample count, of which those with
  // the highest local loss at their last participation (never seen: first).
  power_of_choice,
  // Each idle client independently with probability q = min(1, K (1 + r) /
  // N): a cohort of random size, K (1 + r) expected. What DP-FedAvg's
  // accountant assumes (McMahan et al., ICLR 2018).
  poisson,
};

// How client updates are weighted in the average: by sample count n_i
// (FedAvg) or equally.
enum class UpdateWeighting { samples, uniform };

// The server's optimiser on the pseudo-gradient (Reddi et al., ICLR 2021).
enum class ServerOptimizerKind { sgd, momentum, adam, yogi, adagrad };

struct ServerOptimizerConfig {
  ServerOptimizerKind kind = ServerOptimizerKind::sgd;
  double learning_rate = 1.0;  // eta_g; sgd with 1.0 is FedAvg
  double momentum = 0.9;       // momentum (FedAvgM)
  double beta1 = 0.9;          // adam, yogi, adagrad: first-moment decay
  double beta2 = 0.99;         // adam, yogi: second-moment decay
  double tau = 1e-3;           // adam, yogi, adagrad: adaptivity (the epsilon); v starts at tau^2
};

// Who trains in a round and when the server stops waiting.
struct CohortConfig {
  std::uint32_t clients_per_round = 10;  // K: updates the server waits for
  ClientSampling sampling = ClientSampling::uniform;
  // power_of_choice: candidates d drawn per round; 0: twice the clients the
  // round selects; never fewer than those.
  std::uint32_t candidates = 0;
  // power_of_choice: probe the candidates each round (pow-d of Cho, Wang,
  // Joshi, AISTATS 2022): the server sends them x_t, each computes its local
  // loss at x_t on its data (a compute task) and returns it, and the cohort
  // is those with the highest; false: their losses when last heard from
  // (rpow-d, no round trip). Synchronous rounds with stored data only.
  bool probe = false;
  // r: ceil(K (1 + r)) clients are sent the model, the first K updates to
  // arrive are kept (Bonawitz et al., SysML 2019).
  double over_commit = 0.0;
  // The server aggregates what arrived this long after the round began; 0: none.
  SimTime round_deadline = 0;
  // A round closed with fewer updates is abandoned: the model stays, the
  // round counts (it is not retried).
  std::uint32_t min_updates = 1;
};

// What the server does with an update that arrives after its round closed:
// drop it (counted as late), or keep it for the next round's aggregation as
// a stale update (counted as late and, when aggregated, as stale).
enum class LateUpdates { drop, stale };

// What a client adds to its local objective; the kinds differ only here.
struct ClientRule {
  // FedProx: mu/2 ||y - x_server||^2 (Li et al., MLSys 2020); 0: none.
  double proximal_mu = 0.0;
  // SCAFFOLD's control variates, option II (Karimireddy et al., ICML 2020).
  bool control_variates = false;
  // Parameter-server SGD: the client computes one minibatch gradient at x_t
  // and sends it (instead of y - x_t after local steps).
  bool sends_gradient = false;
  // FedNova's normalised averaging (Wang, Liu, Liang, Joshi, Poor, NeurIPS
  // 2020): a client sends (y - x_t) / a_i, a_i the sum of its local
  // coefficients, and the server rescales the mean by tau_eff = sum_i p_i tau_i.
  bool normalized_averaging = false;
};

// FedBuff's weight of an update s server steps stale (Nguyen et al., AISTATS 2022).
enum class StalenessWeighting { constant, inverse_sqrt };  // 1; 1 / sqrt(1 + s)
// FedAsync's s(t - tau) (Xie, Koyejo, Gupta 2019); also the weight of the
// synchronous server's stale late updates (late_updates = stale).
enum class StalenessFunction { constant, polynomial };  // 1; (1 + t - tau)^-a

// The asynchronous servers (FedBuff, FedAsync): how many clients train at
// once, and how arrivals are weighted by their staleness.
struct AsynchronousConfig {
  std::uint32_t concurrency = 10;  // C: clients training at once
  std::uint32_t buffer_size = 5;   // FedBuff's K: updates per server step
  StalenessWeighting weighting = StalenessWeighting::inverse_sqrt;
  double mixing_alpha = 0.6;  // FedAsync's alpha in (0, 1]
  StalenessFunction function = StalenessFunction::polynomial;
  double exponent = 0.5;  // FedAsync's a in (1 + s)^-a, >= 0
  // FedBuff, FedAsync: > 0, the server writes off a client's work this long
  // after sending it the model and gives its slot to another client; 0: it
  // waits for the update or a check-in.
  SimTime client_timeout = 0;
};

struct FederatedConfig {
  std::uint32_t clients = 0;  // N; the server is engine node N
  std::uint64_t seed = 1;
  std::uint64_t rounds = 100;  // server rounds (aggregations, abandoned ones included)
  std::shared_ptr<const Model> model;
  BatchSource batches;  // partition: one index list per client
  std::size_t batch_size = 32;
  LocalOptimizerConfig local;    // the clients' optimiser, reset every round; eta_t by server round
  std::uint64_t local_steps = 1;  // minibatch steps per round
  std::uint64_t local_epochs = 0;  // > 0: this many passes over the client's data instead (stored data only)
  // > 0: each client takes as many steps as its compute model says fit in
  // this simulated time (at least one), instead of local_steps; see
  // LocalTrainer::steps. Reads `compute`.
  SimTime local_time_budget = 0;
  // The clients' compute model (the engine's: rates, speed factors by node),
  // for local_time_budget; ignored otherwise.
  ComputeConfig compute;
  UpdateWeighting weighting = UpdateWeighting::samples;
  ClientRule rule;
  ServerOptimizerConfig server;
  CohortConfig cohort;
  AsynchronousConfig asynchronous;
  // Uplink updates are encoded by this compressor; null: exact fp64.
  std::shared_ptr<const Compressor> uplink_compressor;
  // The server's model updates are broadcast through this compressor; null:
  // the model itself, exact fp64 (see synchronous_rounds.hpp, Downlink).
  std::shared_ptr<const Compressor> downlink_compressor;
  // Error feedback (Karimireddy, Rebjock, Stich, Jaggi, ICML 2019) on every
  // compressed direction: each client keeps the residual of its uplink
  // updates, the server that of its downlink updates. Needs a compressor.
  bool error_feedback = false;
  // With error_feedback: EF21 (Richtarik, Sokolov, Fatkhullin, NeurIPS 2021)
  // on the uplink instead of EF-SGD (error_feedback.hpp); the downlink keeps
  // EF-SGD. Needs an uplink compressor; not with late_updates = stale (EF21
  // folds every update it receives into its estimate already), a robust
  // aggregator or Byzantine clients.
  bool ef21 = false;
  // The initial server model; empty: the model's initialisation from the seed.
  std::vector<double> initial_model;
  // When clients can be selected (availability.hpp).
  AvailabilityConfig availability;
  LateUpdates late_updates = LateUpdates::drop;
  // The engine's crashes ([faults]): a selected client that crashed is
  // counted as dropped by failure. Simulator knowledge, never the server's.
  std::vector<std::pair<NodeId, SimTime>> crashes;
  // Robust aggregation of the kept updates (robust/factory.hpp); null: the
  // weighted mean (FedAvg). Synchronous rounds only.
  std::shared_ptr<const RobustAggregator> robust_aggregator;
  // Byzantine clients (ascending) and what they send instead of their update
  // (synchronous_rounds.hpp, Byzantine clients). Synchronous rounds only.
  std::vector<NodeId> byzantine;
  AttackConfig attack;
  // Worker momentum beta in [0, 1) (Karimireddy, He, Jaggi, "Learning from
  // history for Byzantine robust optimization", ICML 2021): each client keeps
  // m_i = (1 - beta) u_i + beta m_i over its participations (m_i = 0 before
  // the first), u_i the update it would send, and sends m_i instead. 0: off.
  double worker_momentum = 0;
  // Sample-level DP-SGD for the clients' local steps (privacy/dp_sgd.hpp).
  SamplePrivacy privacy;
  // Secure aggregation of the uploads (synchronous rounds; secure_aggregation.hpp).
  SecureAggregationConfig secure_aggregation;
  // User-level DP-FedAvg at the server (private_aggregation.hpp). Synchronous rounds only.
  UserPrivacy user_privacy;
  // Local DP on the uploads: every client clips its update (after worker
  // momentum, before compression) and adds the noise itself
  // (privacy/local_dp.hpp, the update form).
  MessagePrivacy message_privacy;
};

std::string_view sampling_name(ClientSampling sampling);
// "uniform", "weighted", "round-robin", "power-of-choice", "poisson"; std::invalid_argument listing them otherwise.
ClientSampling parse_sampling(std::string_view name);
std::string_view server_optimizer_name(ServerOptimizerKind kind);
// "sgd", "momentum", "adam", "yogi", "adagrad"; std::invalid_argument listing them otherwise.
ServerOptimizerKind parse_server_optimizer(std::string_view name);
// "samples", "uniform".
UpdateWeighting parse_weighting(std::string_view name);
// "constant", "sqrt".
StalenessWeighting parse_staleness_weighting(std::string_view name);
// "constant", "polynomial".
StalenessFunction parse_staleness_function(std::string_view name);

// The server's x_0: config.initial_model, or else the model's initialisation
// from the stream (seed, 0, "model.init").
std::vector<double> initial_server_model(const FederatedConfig& config);
// "drop", "stale".
LateUpdates parse_late_updates(std::string_view name);

// Throws std::invalid_argument naming the field for what no run can use:
// no clients or model, clients_per_round 0 or above the clients, over_commit
// < 0, a negative deadline, min_updates 0 or above clients_per_round,
// local_steps 0, local_epochs with generated samples, a negative time budget
// or one with local_epochs, error feedback without a compressor, a negative mu, a bad
// server or local optimiser, a partition that does not cover every client
// with at least one sample, an availability that validate(AvailabilityConfig)
// refuses; concurrency 0, buffer_size 0, mixing_alpha outside (0, 1], a
// negative staleness exponent.
void validate(const FederatedConfig& config);

}  // namespace dlsim
