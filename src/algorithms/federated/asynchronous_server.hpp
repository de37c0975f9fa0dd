// An asynchronous federated server: FedBuff, FedAsync and parameter-server
// SGD (synchronous and asynchronous), which differ only in their ServerStep
// (server_step.hpp), with the clients of every federated algorithm
// (clients.hpp).
//
// Design note. The server is engine node N, as for synchronous rounds. Its
// model has a version t, the number of server steps taken; stop.rounds
// counts versions.
//   1. Work: `concurrency` clients drawn from the idle ones (selection.hpp,
//      one selection stream per draw) are sent the current x_t and train from
//      it; the parameter server instead sends it to every client (worker).
//      A client is busy until its update arrives (or it checks in after an
//      outage, its work lost); the server never knows who is slow or gone.
//   2. Arrivals queue at the server in arrival order. Once batch_size() of
//      them wait and no step is running, the first batch_size() become one
//      step: their staleness is t minus the version each client started
//      from, and the step runs as a compute task on the server, costed like
//      any other, one at a time (arrivals meanwhile wait for the next step).
//   3. A freed slot is filled when the step that applies its update
//      completes, so that the client, or its replacement, starts from the
//      new model (FedAsync, the parameter server); FedBuff fills it at once,
//      from x_t, unless the update completed a buffer (as the paper's
//      server, whose steps take no time, would do).
// Once t reaches stop.rounds no work is handed out; what arrives later is
// counted as late and dropped, as is the update of work the server wrote
// off at a check-in (the model was still in flight during the outage).
//
// Availability (availability.hpp). A draw takes only idle clients that are
// available at that instant (bernoulli: the stream keyed by the draw's
// number, one per draw); the parameter server sends the model to the idle
// workers available then. A slot that no available client can fill stays
// empty until the next draw (an arrival, a check-in) or a wake-up the server
// sets: after `retry` (bernoulli), else at the first instant an idle client
// becomes available (a scan of the idle clients, done only when a slot stays
// empty). A client whose availability ends while it trains loses its update
// (clients.hpp) and checks in once it is available again; the server, which
// never knows in advance who leaves, learns of it only then: the slot stays
// taken during the absence, as for a slow client, and is refilled at the
// check-in, where the lost work is counted: dropped_unavailable when the
// client's availability ended since it was sent the model, dropped_failure
// otherwise (a churn outage). A client that never comes back holds its slot,
// unless client_timeout is set (FedBuff, FedAsync): then the server writes
// off work not returned that long after it sent the model, as a real server
// gives up on a silent client, and draws another client into the slot; the
// client written off is not drawn again until it is heard from (its update,
// then dropped as late, or its check-in). The write-off is counted then, by
// what the simulator knows: dropped_unavailable (its availability ended
// since it was sent the model) or dropped_timeout (slow, crashed or in an
// outage: the server cannot tell them apart).
//
// Downlink compression (downlink.hpp), as the synchronous server's: each
// step s_t = x_{t+1} - x_t is compressed (with error feedback, s_t + e), the
// server moves by x_{t+1} = x_t + decode(C(.)) and keeps the newest messages
// worth at most 64 d bits. A client started at
// version t gets the messages of the versions it missed since the version
// it was last sent, and rebuilds x_t bit for bit; it gets x_t itself (64 d
// bits) when it never had a model, checked in since (an outage may have
// taken it), or when those messages were dropped (they would cost more).
// The server keeps its own x_tau of every version still in use (FedAsync
// mixes in y = x_tau + Delta).
//
// Memory: an idle client costs what it costs the synchronous server; a
// client at work, a map entry and its share of the model it was sent (one
// copy per version still in use), one written off, a set entry until it is
// heard from; the records, O(steps + updates applied).
//
// Metrics (metric_columns, per evaluation row): participants (updates
// applied since the previous row), staleness_mean and staleness_max (of
// those; 0 when none), the totals bits_up and bits_down, and the work lost
// since the previous row as the server learnt of it (check-ins, timeouts):
// dropped_unavailable, dropped_failure and dropped_timeout.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "algorithms/federated/availability.hpp"
#include "algorithms/federated/clients.hpp"
#include "algorithms/federated/config.hpp"
#include "algorithms/federated/downlink.hpp"
#include "algorithms/federated/selection.hpp"
#include "algorithms/federated/server_step.hpp"
#include "algorithms/learning_behaviour.hpp"
#include "algorithms/round_snapshots.hpp"
#include "sim/time.hpp"

namespace dlsim {

// One server step.
struct AsynchronousStepRecord {
  SimTime ended = 0;                 // when x_{t+1} was ready
  std::uint32_t updates = 0;         // applied in this step
  std::uint64_t staleness_max = 0;   // of those
  std::uint64_t updates_so_far = 0;  // totals up to and including this step
  std::uint64_t staleness_so_far = 0;
  std::uint64_t bits_up = 0;  // totals when the step ended
  std::uint64_t bits_down = 0;
  std::uint64_t unavailable_so_far = 0;  // work lost, totals when the step ended
  std::uint64_t failures_so_far = 0;
  std::uint64_t timeouts_so_far = 0;
};

class AsynchronousFederated final : public LearningBehaviour {
 public:
  using StepFactory = std::function<std::unique_ptr<ServerStep>(const FederatedConfig&)>;
  // `snapshots` (may be null) outlives the behaviour. Throws
  // std::invalid_argument for a config that validate() refuses or a
  // concurrency above the clients (when the step draws clients).
  AsynchronousFederated(FederatedConfig config, RoundSnapshots* snapshots, const StepFactory& make_step);
  ~AsynchronousFederated() override;

  void on_start(Context& ctx) override;
  void on_message(Context& ctx, NodeId from, const Message& message) override;
  void on_timer(Context& ctx, std::uint64_t tag) override;
  void on_compute_done(Context& ctx, std::uint64_t tag) override;

  // The server's model x_t and its version t (index ignored).
  std::span<const double> model(NodeId) const override { return x_; }
  std::uint64_t rounds_completed(NodeId) const override { return version_; }
  std::size_t dimension() const override { return x_.size(); }
  // Rows in increasing round order: each covers the steps since the previous call.
  void metric_values(std::uint64_t round, std::vector<double>& row) const override;
  std::vector<std::pair<std::string, double>> summary_figures() const override;
  static std::vector<std::string> metric_columns();
  // Server timers are wake-ups (a slot waits for an available client) and
  // client timeouts; the clients' are their return after going away.
  // A client at work (or written off) that comes back from an outage checks
  // in and gets (or frees a slot for) new work; any other client's return
  // changes nothing.
  bool resumes_on_rejoin(NodeId node) const override;
  // The server's one clause: the updates its next step waits for, and from whom.
  std::vector<std::string> waits(const Engine& engine) const override;

  NodeId server() const { return server_; }
  const std::vector<AsynchronousStepRecord>& records() const { return records_; }
  // The staleness of every update applied, in the order applied.
  const std::vector<std::uint64_t>& staleness_history() const { return staleness_history_; }
  // The clients of every update applied, in the order applied (within a step by client id).
  const std::vector<NodeId>& applied_clients() const { return applied_clients_; }
  std::uint32_t participations(NodeId client) const { return participations_[client]; }
  const FederatedClients& clients() const { return clients_; }
  const ClientAvailability& availability() const { return availability_; }
  // Work lost to availability, to outages and to timeouts, as counted at the check-ins and timeouts.
  std::uint64_t dropped_unavailable() const { return dropped_unavailable_; }
  std::uint64_t dropped_failure() const { return dropped_failure_; }
  std::uint64_t dropped_timeout() const { return dropped_timeout_; }

 private:
  static constexpr std::uint64_t kWakeTag = std::uint64_t{1} << 63;
  static constexpr std::uint64_t kTimeoutTag = std::uint64_t{1} << 62;  // | the client

  // A client at work: the version it started from and when it was sent it.
  struct Work {
    std::uint64_t version = 0;
    SimTime sent = 0;
    SimTime deadline = kNever;  // client_timeout: when the server writes it off
    std::shared_ptr<const std::vector<double>> base;  // x_version, the server's copy
  };
  struct Arrival {
    NodeId client = 0;
    std::shared_ptr<const ClientUpdate> update;
    Work work;
  };

  void start_work(Context& ctx, NodeId client);
  // Draws clients into the free slots (the parameter server: every idle
  // worker), among those available now; sets a wake-up when a slot stays empty.
  void fill(Context& ctx);
  void wait_for_availability(Context& ctx);
  // client_timeout: the work of `client` is written off if it is still the one due now.
  void time_out(Context& ctx, NodeId client);
  // Clients at work, or waiting for the step that applies their update (not those written off).
  std::uint32_t slots_taken() const;
  // With a downlink compressor: what `client` is sent to start from x_t.
  std::shared_ptr<const ModelBroadcast> downlink_broadcast(Context& ctx, NodeId client);
  // x_{t+1} = x_t + decode(C(next_ - x_t)), keeping the message.
  void compress_step(Context& ctx);
  void on_update(Context& ctx, NodeId from, const Message& message);
  void on_check_in(Context& ctx, NodeId from);
  // Starts a step if one can start; returns whether it did.
  bool try_step(Context& ctx);
  void release(NodeId client);
  bool finished() const { return version_ >= config_.rounds; }

  FederatedConfig config_;
  RoundSnapshots* snapshots_;
  NodeId server_;
  ClientAvailability availability_;
  FederatedClients clients_;
  CohortSelector selector_;
  std::unique_ptr<ServerStep> step_;
  std::vector<double> x_, next_;  // next_: written by the step's task
  std::uint64_t version_ = 0;
  std::shared_ptr<const std::vector<double>> model_;  // x_t as sent, shared by the clients started at t
  std::shared_ptr<const ModelBroadcast> broadcast_;   // x_t's broadcast, shared by the clients started together
  std::uint64_t selections_ = 0;                      // draws so far: each draws from its own stream
  std::uint64_t wake_ = 0;                            // the wake-up timer that counts (earlier ones are stale)
  SimTime wake_at_ = kNever;                          // when it fires (kNever: none pending)

  // The server's view of the clients.
  std::vector<std::uint8_t> busy_;
  std::uint32_t idle_ = 0;
  std::vector<std::uint32_t> participations_;
  std::vector<float> last_loss_;  // power-of-choice: each client's last reported loss (+inf: none yet)
  std::map<NodeId, Work> training_;  // clients at work
  std::set<NodeId> written_off_;      // busy, not at work: their work timed out and they were not heard from since
  std::unique_ptr<DownlinkHistory> downlink_;  // with a downlink compressor

  std::deque<Arrival> arrived_;  // not yet in a step
  bool stepping_ = false;
  std::vector<StaleUpdate> batch_;  // the step in progress (read by its task)
  std::vector<NodeId> waiting_;     // clients that get new work when it completes

  std::vector<AsynchronousStepRecord> records_;
  std::vector<std::uint64_t> staleness_history_;
  std::vector<NodeId> applied_clients_;
  mutable std::uint64_t last_row_ = 0;  // metric_values: the round of the previous row
  std::uint64_t bits_up_ = 0, bits_down_ = 0;
  std::uint64_t late_updates_ = 0;
  std::uint64_t dropped_unavailable_ = 0, dropped_failure_ = 0, dropped_timeout_ = 0;
};

}  // namespace dlsim
