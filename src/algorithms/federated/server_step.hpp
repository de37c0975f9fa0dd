// What an asynchronous federated server does with the updates it applies
// together: the one place where FedBuff, FedAsync and parameter-server SGD
// differ (asynchronous_server.hpp runs the clients, the queue and the clock
// for all of them).
//
//   FedBuff    K updates at a time: the staleness-weighted average of the
//              client deltas, then the server optimiser (fedbuff.cpp)
//   FedAsync   each update as it arrives: x <- (1 - a) x + a y (fedasync.cpp)
//   PS-SGD     one gradient from every worker (synchronous) or each gradient
//              as it arrives (asynchronous), then an SGD step with the run's
//              optimiser (parameter_server.cpp)
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "algorithms/federated/config.hpp"
#include "algorithms/federated/messages.hpp"
#include "sim/node.hpp"

namespace dlsim {

// An update the server applies, with its staleness.
struct StaleUpdate {
  NodeId client = 0;
  // Server steps taken between the model the client started from and the one
  // this update is applied to (0: fresh).
  std::uint64_t staleness = 0;
  std::shared_ptr<const ClientUpdate> update;
  // x_tau, the model the client started from, as the server holds it (the
  // client was sent it, or the compressed steps that rebuild it bit for bit).
  std::shared_ptr<const std::vector<double>> base;
};

class ServerStep {
 public:
  virtual ~ServerStep() = default;
  // Updates applied together in one step (1: each as it arrives).
  virtual std::uint32_t batch_size() const = 0;
  // Whether a client is replaced as soon as its update arrives (FedBuff's
  // clients do not wait for the buffer, except the one that completes it) or
  // once its update is applied, so that it, or the client that replaces it,
  // starts from the new model.
  virtual bool replaces_on_arrival() const = 0;
  // Whether every client is a worker that gets the model back after each of
  // its updates (the parameter server) instead of `concurrency` clients
  // drawn from the idle ones.
  virtual bool fixed_workers() const { return false; }
  // The simulated cost on the server of one step over `updates` updates of dimension d.
  virtual ComputeCost cost(std::size_t updates, std::size_t dimension) const = 0;
  // next = the model after server step `version` from x with `updates`
  // (batch_size() of them, sorted by client id). Runs as the server's compute
  // task, one at a time: it writes only its own state and `next`.
  virtual void step(std::uint64_t version, std::span<const StaleUpdate> updates, const VectorCodec& codec,
                    std::span<const double> x, std::span<double> next) = 0;
};

// `config` outlives the step (it is the server's own copy).
std::unique_ptr<ServerStep> make_fedbuff_step(const FederatedConfig& config);
std::unique_ptr<ServerStep> make_fedasync_step(const FederatedConfig& config);
// Synchronous (one gradient from each of the `config.clients` workers per
// step) or asynchronous (each gradient as it arrives).
std::unique_ptr<ServerStep> make_parameter_server_step(const FederatedConfig& config, bool synchronous);

// FedBuff's weight of an update `staleness` steps old: 1, or 1 / sqrt(1 + s).
double staleness_weight(StalenessWeighting weighting, std::uint64_t staleness);
// FedAsync's s(t - tau): 1, or (1 + t - tau)^-a.
double staleness_factor(StalenessFunction function, double exponent, std::uint64_t staleness);

}  // namespace dlsim
