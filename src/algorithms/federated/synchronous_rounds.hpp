// Synchronous federated rounds: the server of FedAvg, FedProx and SCAFFOLD,
// with any server optimiser, and the clients it drives.
//
// Design note. The server is engine node N, after the N clients, with its
// own NIC and compute rate. Round t:
//   1. Selection (selection.hpp): ceil(K (1 + r)) clients that are not busy.
//      If none is idle, the server waits for one (an update or a check-in).
//   2. It sends them x_t (one shared message body; the server's uplink
//      serializes, or with the fair model shares, the transfers).
//   3. It keeps the updates of round t in arrival order and closes the round
//      at the first of: K kept, every selected client reported, the deadline
//      (round_deadline after it began; an update arriving exactly then is
//      kept). A round closed with fewer than min_updates updates is abandoned:
//      the model stays and the next round begins (it is not retried).
//   4. The kept updates are combined in client-id order (aggregation.hpp) by
//      a compute task on the server, costed like any other, and the server
//      optimiser (server_optimizer.hpp) applies the result; SCAFFOLD's c
//      moves by sum_i (w_i / W) (c_i^+ - c_i), W the weight of all clients.
// Updates that arrive after their round closed are dropped and counted. The
// server never knows in advance whether a client is slow, gone or cut off: a
// client is busy from its selection until its update (however late) or a
// check-in after an outage arrives, and is not selected meanwhile.
//
// Metrics (metric_columns, per evaluation round): selected, participants
// (updates aggregated), dropped_deadline (selected clients not heard from at
// a deadline close: late, crashed or cut off, the server cannot tell),
// surplus (not heard from when K had arrived: over-commitment's discards),
// round_duration_s, and the totals bits_up (client to server) and
// bits_down (server to client) and abandoned_rounds. The summary adds the
// bits up and down per client, mean and max over the clients that exchanged
// at least one message with the server (selected, or checked in), so that
// mean x clients_communicated is the total.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "algorithms/federated/aggregation.hpp"
#include "algorithms/federated/clients.hpp"
#include "algorithms/federated/config.hpp"
#include "algorithms/federated/selection.hpp"
#include "algorithms/federated/server_optimizer.hpp"
#include "algorithms/learning_behaviour.hpp"
#include "algorithms/round_snapshots.hpp"
#include "sim/time.hpp"

namespace dlsim {

// What happened in one server round.
struct FederatedRoundRecord {
  std::uint64_t round = 0;
  SimTime began = 0;
  SimTime ended = 0;  // when x_{t+1} was ready
  std::uint32_t selected = 0;
  std::uint32_t participants = 0;  // updates aggregated (0 when abandoned)
  std::uint32_t dropped_deadline = 0;
  std::uint32_t surplus = 0;
  bool abandoned = false;
  std::uint64_t abandoned_so_far = 0;  // rounds abandoned up to and including this one
  std::uint64_t bits_up = 0;           // totals when the round ended
  std::uint64_t bits_down = 0;
};

class SynchronousFederated final : public LearningBehaviour {
 public:
  // `snapshots` (may be null; one model per snapshot) outlives the behaviour.
  // Throws std::invalid_argument for a config that validate() refuses.
  SynchronousFederated(FederatedConfig config, RoundSnapshots* snapshots);
  ~SynchronousFederated() override;

  void on_start(Context& ctx) override;
  void on_message(Context& ctx, NodeId from, const Message& message) override;
  void on_timer(Context& ctx, std::uint64_t tag) override;
  void on_compute_done(Context& ctx, std::uint64_t tag) override;

  // The server's model x_t and its round t (index ignored).
  std::span<const double> model(NodeId) const override { return x_; }
  std::uint64_t rounds_completed(NodeId) const override { return round_; }
  std::size_t dimension() const override { return x_.size(); }
  void metric_values(std::uint64_t round, std::vector<double>& row) const override;
  std::vector<std::pair<std::string, double>> summary_figures() const override;
  static std::vector<std::string> metric_columns();

  NodeId server() const { return server_; }
  const std::vector<FederatedRoundRecord>& records() const { return records_; }
  // Updates of this client the server aggregated.
  std::uint32_t participations(NodeId client) const { return participations_[client]; }
  const FederatedClients& clients() const { return clients_; }

 private:
  enum class Close { enough, deadline };

  void begin_round(Context& ctx);
  void on_update(Context& ctx, NodeId from, const Message& message);
  void close_round(Context& ctx, Close why);
  void finish_round(Context& ctx, bool aggregated);
  void release(NodeId client);

  FederatedConfig config_;
  RoundSnapshots* snapshots_;
  NodeId server_;
  FederatedClients clients_;
  CohortSelector selector_;
  std::unique_ptr<Aggregator> aggregator_;
  ServerOptimizer optimizer_;
  std::vector<double> x_;        // the server model
  std::vector<double> control_;  // SCAFFOLD's c; empty otherwise
  std::uint64_t round_ = 0;      // rounds completed
  std::uint32_t cohort_target_ = 0;  // updates that close the round: min(K, cohort size)

  // The round in progress.
  bool open_ = false;
  bool waiting_ = false;  // no idle client to select
  FederatedRoundRecord current_;
  std::vector<NodeId> cohort_;
  std::vector<KeptUpdate> kept_;

  // Bits the server received from (up) and sent to (down) one client.
  struct ClientTraffic {
    std::uint64_t up = 0, down = 0;
  };

  // The server's view of every client: 21 bytes each.
  std::vector<std::uint8_t> busy_;
  std::uint32_t idle_ = 0;
  std::vector<std::uint32_t> participations_;
  std::vector<ClientTraffic> traffic_;
  std::vector<float> last_loss_;  // power-of-choice: each client's last reported loss (+inf: none yet)
  double total_weight_ = 0;  // W

  // Written by the aggregation task.
  std::vector<double> combined_;
  std::vector<double> combined_control_;

  std::vector<FederatedRoundRecord> records_;
  std::uint64_t bits_up_ = 0, bits_down_ = 0;
  std::uint64_t late_updates_ = 0;
};

}  // namespace dlsim
