// A client's local work in one round, shared by every federated algorithm:
// from the server's x_t, S steps of the local optimiser on the client's own
// minibatches, with the ClientRule's additions to each gradient:
//   g = grad f_i(y; batch) [+ mu (y - x_t)  FedProx] [+ (c - c_i)  SCAFFOLD]
// and the result Delta_i = y_S - x_t. S is local_steps, or local_epochs
// passes over the client's data. The optimiser (momentum included) starts
// afresh every round, with eta_t of the server round t. SCAFFOLD's option II
// control update c_i^+ - c_i = -c + (x_t - y_S) / (sum of the step sizes
// taken) (K eta_l in the paper, for a constant rate) is computed here too,
// and so is FedNova's a_i, the sum of the coefficients with which the local
// gradients enter y_S - x_t (Wang, Liu, Liang, Joshi, Poor, "Tackling the
// objective inconsistency problem in heterogeneous federated optimization",
// NeurIPS 2020, section 4 and their code): tau_i for plain SGD; with
// heavy-ball momentum rho, sum_{k < tau_i} (1 - rho^(k+1)) / (1 - rho); with
// Nesterov, sum_k (1 + rho (1 - rho^(k+1)) / (1 - rho)).
//
// Time-budgeted local work (FederatedConfig::local_time_budget): the client
// takes the largest number of steps S >= 1 whose task, costed as below and
// divided by its speed factor, lasts at most the budget, the duration rounded
// up to a nanosecond as the engine does. It plans with its median speed: the
// engine's per-task jitter, which no client knows in advance, then makes the
// task last more or less than planned.
// A parameter-server worker (ClientRule::sends_gradient) instead computes one
// minibatch gradient at x_t, which its job returns in `delta`.
#pragma once

#include <tbb/enumerable_thread_specific.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "algorithms/federated/client_table.hpp"
#include "algorithms/federated/config.hpp"
#include "algorithms/federated/messages.hpp"
#include "data/dataset.hpp"
#include "sim/node.hpp"

namespace dlsim {

// One client's round of local work: its input, fixed when it starts, and its
// result, written by the compute task and read only after the task's
// completion event.
struct LocalJob {
  std::uint64_t round = 0;
  std::uint32_t serial = 0;  // the client's job count when it started: names its compute task
  std::shared_ptr<const ModelBroadcast> broadcast;  // x_t (and c)
  std::vector<double> correction;                   // SCAFFOLD: c - c_i; empty otherwise
  MinibatchCursor start;
  std::uint64_t steps = 0;

  std::shared_ptr<const std::vector<double>> model;  // x_t, where the steps start

  std::vector<double> delta;          // y_S - x_t; a parameter-server worker's gradient at x_t
  std::uint32_t batch_samples = 0;    // samples in the steps' batches
  std::vector<double> control_delta;  // SCAFFOLD: c_i^+ - c_i
  MinibatchCursor end;
  double mean_loss = 0;  // the mean of the minibatch losses of the steps (each before its step)
  double coefficients = 0;  // FedNova's a_i
};

// Samples a client of `samples` samples visits in `steps` batches of
// `batch_size` from `cursor` (an epoch's last batch may be short). O(1).
std::uint64_t samples_visited(std::uint64_t samples, std::uint64_t batch_size, MinibatchCursor cursor,
                              std::uint64_t steps);

class LocalTrainer {
 public:
  // `config` and `table` outlive the trainer.
  LocalTrainer(const FederatedConfig& config, const ClientTable& table);

  // S for this client from `start`: local_steps, local_epochs * ceil(n_i /
  // batch_size), or what fits in local_time_budget (at least 1, at most
  // 2^32 - 1); 1 for a parameter-server worker. O(log S).
  std::uint64_t steps(NodeId client, MinibatchCursor start) const;
  // The median simulated duration of `steps` steps from `start` on this
  // client, in nanoseconds, as the engine rounds it (up).
  SimTime planned_duration(NodeId client, MinibatchCursor start, std::uint64_t steps) const;
  // The simulated cost of `steps` steps from `start`: a forward and backward
  // pass (three times the forward flops) over every sample of every batch,
  // plus the optimiser's O(d) per step (none for a parameter-server worker). O(1).
  ComputeCost cost(NodeId client, MinibatchCursor start, std::uint64_t steps) const;
  // Runs the job for `client`. Safe to call concurrently for different jobs:
  // it reads the shared data and writes only the job.
  void run(NodeId client, LocalJob& job) const;

 private:
  struct Workspace {
    std::unique_ptr<ModelWorkspace> model;
    Dataset generated;
    std::vector<std::uint32_t> all_rows;
    DpSgdWorkspace private_gradient;
    std::vector<std::uint32_t> poisson_batch;
  };
  const FederatedConfig& config_;
  const ClientTable& table_;
  std::shared_ptr<tbb::enumerable_thread_specific<Workspace>> workspaces_;
};

}  // namespace dlsim
