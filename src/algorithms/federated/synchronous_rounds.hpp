// Synchronous federated rounds: the server of FedAvg, FedProx and SCAFFOLD,
// with any server optimiser, and the clients it drives.
//
// Design note. The server is engine node N, after the N clients, with its
// own NIC and compute rate. Round t:
//   1. Selection (selection.hpp): ceil(K (1 + r)) clients that are not busy.
//      If none is idle, the server waits for one (an update or a check-in).
//      Power of choice with a probe (config.cohort.probe, pow-d of Cho,
//      Wang, Joshi, AISTATS 2022): the server draws the d candidates, sends
//      them x_t (a probe, the model's size), each computes its loss at x_t
//      on all of its samples (a compute task: one forward pass) and returns
//      it (32 bits); once every candidate has answered (or checked in having
//      lost the probe) the cohort is the ceil(K (1 + r)) highest losses,
//      sent a 64-bit start (they hold x_t), and the other candidates are
//      free again (one that has not answered stays busy until it does). A
//      probe waits at most round_deadline (when set): then the cohort comes
//      from the answers so far (none: the round is abandoned). The round
//      began with the probe; its deadline counts from the start messages.
//   2. It sends them x_t (one shared message body; the server's uplink
//      serializes, or with the fair model shares, the transfers).
//   3. It keeps the updates of round t in arrival order and closes the round
//      at the first of: K kept, every selected client reported (an update, or
//      a check-in saying it lost this round's work), the deadline
//      (round_deadline after it began; an update arriving exactly then is
//      kept). A round closed with fewer than min_updates updates is abandoned:
//      the model stays and the next round begins (it is not retried).
//   4. The kept updates are combined in client-id order (aggregation.hpp) by
//      a compute task on the server, costed like any other, and the server
//      optimiser (server_optimizer.hpp) applies the result; SCAFFOLD's c
//      moves by sum_i (w_i / W) (c_i^+ - c_i), W the weight of all clients.
//      FedNova (Wang et al., NeurIPS 2020): the updates are (y_i - x_t) / a_i
//      and the weighted mean is multiplied by tau_eff = sum_i p_i tau_i, p_i
//      the weights of the kept updates normalised to 1 and tau_i their local
//      steps, before the server optimiser takes it (x + eta_g tau_eff
//      sum_i p_i d_i with sgd).
// Updates that arrive after their round closed are dropped and counted, or
// with late_updates = stale kept and aggregated, flagged stale, with the next
// round that aggregates (they do not count towards K or min_updates), each
// with its weight times s(tau), tau >= 1 the rounds from its own to the one
// that aggregates it and s FedAsync's staleness function (config.asynchronous:
// (1 + tau)^-a, or 1). The
// server never knows in advance whether a client is slow, gone or cut off: a
// client is busy from its selection until its update (however late) or a
// check-in after an outage arrives, and is not selected meanwhile.
//
// Downlink (downlink.hpp). With a downlink compressor C the server's model moves only by
// what it broadcasts: its optimiser's step s_t is compressed (with error
// feedback, s_t + e), x_{t+1} = x_t + decode(C(.)), and the message is kept.
// A client that was last sent x_s gets the messages of the rounds s..t-1 in
// order and adds them to the x_s it kept (each message is what every client
// and the server decode, so the client's x_t is the server's, bit for bit);
// a client never sent a model, or one whose messages would cost more than x_t
// itself (64 d bits), gets x_t exactly. The server keeps only the newest
// messages whose sizes add up to at most 64 d bits, and per client the
// round of the model it last sent (reset by a check-in: an outage loses the
// client's model). Compressing x_{t+1} - x_t rather than x_{t+1} against each
// client's own model keeps one message per round shared by every client and
// one model on each side; a client absent for many rounds costs a full
// model, as it would without compression.
//
// EF21 (config.ef21; Richtarik, Sokolov, Fatkhullin, NeurIPS 2021, with
// partial participation as EF21-PP, Fatkhullin et al. 2021): each client i
// keeps g_i and sends C(v_i - g_i), v_i its update; the server keeps g =
// sum_i (w_i / W) g_i over all clients (W their total weight, g_i = 0 before
// a client's first update) and moves it by (w_i / W) decode(message) for
// every update it receives, aggregated or not (late ones, surplus ones and
// those of abandoned rounds with the next aggregation), so that g stays the
// weighted mean of the g_i; the server optimiser then takes g in place of
// the mean of the kept updates. With every client every round and an exact
// (identity) compressor g is that mean, and EF21 is plain FedAvg.
//
// Robust aggregation and Byzantine clients (robust_aggregator, byzantine).
// With either, the aggregation task decodes every kept update into its own
// vector (client-id order), replaces the vector of each Byzantine sender by
// the attack's (attacks on the honest vectors see the decoded honest updates
// kept in the same round: an omniscient attacker, modelled at the server, so
// a Byzantine update has the size and timing of a normal one; random attacks
// draw from the stream (seed, round, "fed.byzantine") in client-id order),
// and combines the vectors with the robust aggregator (weights: those of the
// mean; centre of centered clipping: the previous round's aggregate;
// bucketing draws from (seed, round, "fed.bucketing")). Label-flip clients
// train honestly on flipped labels (the builder flips them); a silent
// Byzantine client (attack none) trains but its update never reaches the
// server, which keeps it busy as it would a crashed client and counts it as
// dropped_failure. A round whose kept updates are too few for the robust
// aggregator (e.g. Krum's n > 2f + 2) is abandoned. SCAFFOLD's control
// deltas and FedNova's tau_eff use every kept update as before.
// aggregate_error = ||aggregate - weighted mean of the honest kept updates||^2
// (NaN when none is honest), a metric column when either is configured.
//
// Secure aggregation (secure_aggregation.hpp). With a protocol, the round
// begins with two exchanges with the cohort (advertise keys, share keys)
// before the model goes to those that answered both; the uploads are the
// masked updates; after the close the survivors answer an unmasking request
// and the aggregation task (plus the unmasking's compute) starts with the
// t-th answer. An exchange ends when every awaited client answered or gave
// up, or at the round deadline; fewer than t answers abandon the round.
// Clients that left in the key exchanges are released when the round ends.
// The aggregate is the plain mean of the kept updates, unchanged.
// Columns secagg_bits and secagg_s follow the others. Not combined (refused
// by validate): the probe round (its cohort would need the key exchanges
// after it), EF21 and DP-FedAvg (both need each update at the server).
//
// Metrics (metric_columns, per evaluation round): selected, participants
// (fresh updates aggregated), the selected clients not heard from at the
// close split by cause, which the simulator knows and the server does not:
// dropped_failure (crashed by then, from [faults], or in a churn outage
// that began before the close), dropped_unavailable (its availability ended
// between the round's start and its close), then of the others
// dropped_deadline (a deadline close: late or cut off) or surplus (K had
// arrived: over-commitment's discards). A client still down at the close is
// first counted as dropped_deadline or surplus (nobody has heard of the
// outage yet) and moved to dropped_failure when it checks in, its check-in
// saying when the outage began: the summary's totals are exact, a metrics.csv
// row written before that check-in is not. Then round_duration_s,
// local_steps_mean, local_steps_min and local_steps_max (over the updates
// aggregated; 0 when none), the totals bits_up (client to server), bits_down
// (server to client) and abandoned_rounds, and stale_updates (late updates
// aggregated in this round).
// DP-FedAvg (user_privacy, private_aggregation.hpp) with Poisson sampling:
// the server waits for every selected client (no K cut-off), never abandons
// a round (an empty cohort still releases its noise), and replaces the
// weighted mean by the clipped, noised sum over the expected cohort.
// The summary adds the bits up and down per client, mean and max over the
// clients that exchanged at least one message with the server (selected, or
// checked in), so that mean x clients_communicated is the total.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "algorithms/federated/aggregation.hpp"
#include "algorithms/federated/clients.hpp"
#include "algorithms/federated/config.hpp"
#include "algorithms/federated/downlink.hpp"
#include "algorithms/federated/secure_aggregation.hpp"
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
  SimTime closed = 0;  // when the server stopped waiting for updates
  SimTime ended = 0;   // when x_{t+1} was ready
  std::uint32_t selected = 0;
  std::uint32_t participants = 0;  // updates aggregated (0 when abandoned)
  std::uint32_t dropped_deadline = 0;
  std::uint32_t surplus = 0;
  std::uint32_t dropped_unavailable = 0;
  std::uint32_t dropped_failure = 0;
  std::uint32_t stale_updates = 0;  // late updates of earlier rounds aggregated in this one
  bool abandoned = false;
  std::uint64_t abandoned_so_far = 0;  // rounds abandoned up to and including this one
  std::uint64_t bits_up = 0;           // totals when the round ended
  std::uint64_t bits_down = 0;
  double local_steps_mean = 0;         // over the updates aggregated; 0 when none
  std::uint32_t local_steps_min = 0;
  std::uint32_t local_steps_max = 0;
  double aggregate_error = 0;          // robust or Byzantine runs: see above
  std::uint64_t secure_aggregation_bits = 0;  // total so far: secure aggregation's own messages
  double secure_aggregation_s = 0;            // this round's time in the advertise, share and unmask rounds
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
  // Whether the aggregate_error column follows (a robust aggregator or Byzantine clients).
  static bool reports_aggregate_error(const FederatedConfig& config);
  // Whether a client's check-in after an outage could move the run on: it
  // frees a client the server still counts as busy (one of this round's
  // cohort gives up the round), or it ends a wait for an idle client. Not
  // when no client will ever be available.
  bool resumes_on_rejoin(NodeId client) const override;
  std::vector<std::string> waits(const Engine& engine) const override;

  NodeId server() const { return server_; }
  const std::vector<FederatedRoundRecord>& records() const { return records_; }
  // Updates of this client the server aggregated.
  std::uint32_t participations(NodeId client) const { return participations_[client]; }
  const FederatedClients& clients() const { return clients_; }
  // EF21: the server's estimate g (empty before the first aggregation or without EF21).
  std::span<const double> ef21_estimate() const { return ef21_estimate_; }
  const ClientAvailability& availability() const { return availability_; }

 private:
  enum class Close { enough, deadline, reported };
  static constexpr std::uint64_t kWakeTag = std::uint64_t{1} << 63;  // timer tags: wake-ups; others deadlines
  static constexpr std::uint64_t kProbeTimerTag = std::uint64_t{1} << 62;  // a probe's deadline

  void begin_round(Context& ctx);
  // The round's cohort_ is chosen: it waits for their updates from now on.
  void open_cohort();
  // Sends `broadcast` (without a downlink compressor) to `clients`, counting its bits.
  void send_down(Context& ctx, const std::vector<NodeId>& clients, std::uint32_t tag,
                 std::shared_ptr<const ModelBroadcast> broadcast, std::size_t d);
  // Power of choice with a probe: the probe of round_ to the drawn
  // candidates (step 1 above), the answers, and its end.
  void begin_probe(Context& ctx);
  void on_loss(Context& ctx, NodeId from, const Message& message);
  void finish_probe(Context& ctx);
  void on_update(Context& ctx, NodeId from, const Message& message);
  void close_round(Context& ctx, Close why);
  void finish_round(Context& ctx, bool aggregated);
  void release(NodeId client);
  // A check-in from `client`: reclassifies its pending drop, if any (see Metrics above).
  void resolve_pending_drop(NodeId client, SimTime outage_began);
  // No idle client was available: wake up when the first one is.
  void wait_for_availability(Context& ctx);
  // EF21: g moved by `unused` then `kept`, into combined_ (see above).
  void ef21_aggregate(const std::vector<KeptUpdate>& kept, const std::vector<KeptUpdate>& unused);
  // The robust or Byzantine aggregation of `kept` into combined_ (see above).
  void robust_aggregate(const std::vector<KeptUpdate>& kept, std::uint64_t round);
  bool is_byzantine(NodeId client) const;
  // Whether `client` crashed ([faults]) at or before `time`.
  bool crashed_by(NodeId client, SimTime time) const;
  // The broadcast of x_t for `client`, with a downlink compressor.
  std::shared_ptr<ModelBroadcast> downlink_broadcast(NodeId client);
  // Sends x_t (and, with secure aggregation, the shares) to awaited_.
  void send_model(Context& ctx);
  void count_down(NodeId client, std::int64_t bits, std::int64_t secure_bits);
  // The cohort's clients not in `heard` (sorted), counted by cause.
  void count_unheard(Context& ctx, const std::vector<NodeId>& heard, Close why);
  // The kept updates' aggregation task (after secure aggregation's unmasking).
  void aggregate(Context& ctx);
  // Secure aggregation (secure_aggregation.hpp): its rounds before the model and after the uploads.
  void start_secure_aggregation(Context& ctx);
  void send_steps(Context& ctx, SecureAggregationPhase phase, const std::vector<NodeId>& to);
  void on_secure_aggregation_reply(Context& ctx, NodeId from, const Message& message);
  // The advertise or share round ended (every awaited client answered or gave up, or the deadline).
  void advance_secure_aggregation(Context& ctx);
  // A client's place among those that advertised keys (the neighbourhood graph's vertex).
  std::uint32_t position(NodeId client) const;
  // Awaited clients that checked in having lost this round's work.
  std::uint32_t reported() const;
  // x <- x + the optimiser's step, through the downlink compressor if any.
  void apply_step(Context& ctx);

  FederatedConfig config_;
  RoundSnapshots* snapshots_;
  NodeId server_;
  ClientAvailability availability_;
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
  std::vector<NodeId> awaited_;  // who the server waits for: the cohort, or secure aggregation's current round
  std::vector<NodeId> gave_up_;  // cohort clients that checked in having lost this round's work
  bool probing_ = false;                               // the probe of round_ is open
  std::vector<NodeId> probed_;                         // its candidates
  std::vector<std::pair<float, NodeId>> probe_losses_;  // the answers so far
  std::vector<NodeId> probe_lost_;                     // candidates that checked in instead
  std::shared_ptr<const std::vector<double>> probed_model_;  // x_t as probed
  std::uint64_t retry_ = 0;    // bernoulli: selections of this round that found nobody available
  std::uint64_t wake_ = 0;     // the wake-up timer that counts (earlier ones are stale)
  std::vector<KeptUpdate> stale_;  // late updates waiting for the next aggregation
  // EF21: the server's estimate g, and the updates received but not
  // aggregated (late, or of an abandoned round) waiting to move it.
  std::vector<double> ef21_estimate_;
  std::vector<KeptUpdate> ef21_unused_;
  // Clients counted as dropped_deadline (or surplus) at a close and not
  // heard from since: a check-in after an outage that began before that
  // close moves them to dropped_failure. At most the busy clients.
  struct PendingDrop {
    std::uint64_t round;
    bool surplus;
  };
  std::unordered_map<NodeId, PendingDrop> pending_drops_;

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

  std::unique_ptr<DownlinkHistory> downlink_;  // with a downlink compressor
  std::shared_ptr<const std::vector<double>> full_model_;  // x_t as sent this round; null until needed
  std::shared_ptr<const std::vector<double>> shared_control_;  // SCAFFOLD's c as sent this round

  // Written by the aggregation task.
  std::vector<double> combined_;
  std::vector<double> previous_aggregate_;  // robust: the last aggregate (centered clipping's centre)
  double aggregate_error_ = 0;
  std::vector<double> combined_control_;
  std::vector<double> private_scratch_;  // DP-FedAvg: one decoded update
  double clip_norm_ = 0;  // DP-FedAvg: C now (moves with adaptive clipping)

  // Secure aggregation's round in progress (none while training or aggregating).
  std::unique_ptr<SecureAggregationPlan> plan_;
  std::optional<SecureAggregationPhase> phase_;
  SimTime phase_began_ = 0;
  std::vector<NodeId> replied_;     // answers to the current request
  std::vector<NodeId> advertised_;  // sorted: who advertised keys (the graph's vertices)
  std::vector<NodeId> members_;     // sorted: who sent shares (the masked inputs expected)
  std::uint64_t secure_bits_ = 0;
  // Secure aggregation over the run, for summary.json: rounds that ran it and
  // those it failed (fewer than t answers), its request/answer exchanges
  // (advertise, share, unmask), clients that dropped out of the key rounds or
  // whose masked input was not kept, and the compute of the protocol.
  struct SecureAggregationTotals {
    std::uint64_t rounds = 0, failed = 0, exchanges = 0, dropped_key_rounds = 0, dropped_masked = 0;
    double client_flops = 0, server_flops = 0;
  } secure_totals_;

  std::vector<FederatedRoundRecord> records_;
  std::uint64_t bits_up_ = 0, bits_down_ = 0;
  std::uint64_t late_updates_ = 0;
  std::vector<std::pair<NodeId, SimTime>> crashes_;  // sorted
};

}  // namespace dlsim
