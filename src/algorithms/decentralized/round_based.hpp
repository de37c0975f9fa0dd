// The common machinery of synchronous decentralized algorithms: rounds that
// synchronize only through the messages a node waits for.
//
// Design note. In round t a node (1) has a minibatch gradient computed as a
// compute task on the pool, (2) sends one message to each neighbour of round
// t's W, (3) waits for the round-t messages of all those neighbours and
// (4) updates its state. Algorithms differ in what they send and how they
// update, and in when the gradient is needed (GradientTiming):
//   none         no gradient (consensus: gossip, CHOCO-Gossip, Q1/Q2 gossip);
//   overlapped   at x^t, computed while the messages travel (D-PSGD);
//   before_send  at x^t, before the message can be made (CHOCO-SGD, DIGing, local SGD);
//   pipelined    the gradient of round t + 1 is started as soon as round t's
//                message is sent, at the model the node has then, so that it
//                overlaps with the wait (DCD, ECD, CHOCO-SGD of ICLR 2020).
// With a fixed W a neighbour is at most one round ahead; with a time-varying
// W it may be several (see round_inbox.hpp), so arrivals are kept per round.
// Messages are kept (shared, immutable) until their round completes and then
// applied in neighbour order, so the update does not depend on arrival order
// and sparse messages cost O(k), not O(d).
//
// A slow node delays exactly its neighbours, and through them the rest of the
// graph a round later. Without a round timeout, synchronous rounds cannot
// resume after a churn outage: a rejoining node stays idle (and so do the
// nodes that wait for it), and a lost message stalls the nodes that wait for
// it; waits() then says who waits for whom, for the run loop's `stalled` status.
//
// Timeouts and churn (config.round_timeout > 0). A node is ready to mix once
// its own part of round t is done: its message is out and, for `overlapped`,
// its gradient computed. If its neighbours' round-t messages are not all in
// round_timeout after that, it completes the round with those it has: the
// weights w_ij of the missing neighbours go to its own weight w_ii (the row
// stays stochastic; self_weight() says what the round used). Exact-model
// algorithms then average over the neighbours heard; CHOCO and DCD/ECD, whose
// messages are increments of a public copy, keep their copy of a missing
// neighbour as it was (its increment is lost for good, so that copy lags the
// neighbour's own by it); CHOCO then asks for the neighbour's full copy
// (see "Public copies" below, full_public_copy). A message of a round the node has
// already completed is dropped and counted as late. Only one timer is pending
// per node (Context::set_timeout, which keys no other event): when it fires
// before the current deadline it is set again for the rest, so a timeout that
// never expires changes nothing but the event count.
// A node back from an outage does not resume its old round: it waits for the
// first message of a neighbour, jumps to that message's round r if it is
// ahead (handing in its current model for the evaluations of the rounds it
// skips) and takes part from there, with its own model (RejoinModel::keep) or,
// in round r, the average of the neighbours' models it hears, weighted by
// their w_ij renormalised to sum 1 (RejoinModel::average). If no neighbour
// speaks within one timeout it resumes its own round. Late and missed
// messages, timeouts and skipped rounds are counted (metric_values, summary_figures).
//
// Byzantine nodes (config.byzantine). A Byzantine node runs the honest
// algorithm on its own state (so its sign-flip or bit-flip has an honest
// vector to start from) but sends the attack's vector instead of its message,
// encoded by the same codec, so its bits count like everyone's:
//   - attacks on the honest vectors (ipm, alie, scaled-negative-mean, min-max,
//     min-sum, mimic) use, when omniscient, the round's messages of its honest
//     neighbours: it sends once they have all reached it (in simulated time,
//     after them); otherwise those of the previous round (its own model in round 0);
//   - gaussian and bit-flip draw from a stream keyed by (seed, node, round), or
//     (seed, node, round, receiver) with per_receiver: one draw per neighbour;
//   - dissensus depends on the receiver: the attacker sends its model (its bits
//     are charged) once its honest neighbours' messages have reached it, and
//     each honest receiver i replaces it by x_i - epsilon sum_{j honest} w_ij
//     (x_j - x_i) / sum_{k Byzantine} w_ik over the messages i received;
//   - label-flip trains on flipped labels (the builder's poisoned data) and
//     sends its model honestly;
//   - none (silent, crashed from the start): the builder removes the node from
//     its neighbours' rows (w_ij goes to w_ii), so that no one waits for it.
// A robust combination (config.robust) costs a compute task of its own
// between the last message and the update (combine_cost).
#pragma once

#include <tbb/enumerable_thread_specific.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "algorithms/decentralized/config.hpp"
#include "algorithms/learning_behaviour.hpp"
#include "algorithms/decentralized/round_inbox.hpp"
#include "algorithms/round_snapshots.hpp"
#include "algorithms/vector_message.hpp"
#include "data/sampler.hpp"
#include "sim/node.hpp"

namespace dlsim {

// A node behaviour that also exposes every node's model (model(node), between
// engine calls only), for metrics and tests; whether a node resumes after an
// outage and who waits for whom are LearningBehaviour's (see stall.hpp).
class DecentralizedAlgorithm : public LearningBehaviour {};

// The cost of one minibatch gradient over `samples` samples of `source`:
// three times the model's forward flops (forward and backward pass), and the
// samples' inputs read four times. Linear in `samples`.
ComputeCost gradient_cost(const Model& model, const BatchSource& source, double samples);

// Minibatch gradients as compute tasks, shared by the synchronous and the
// asynchronous algorithms: the node's sampler, the cost model and the
// per-thread model workspaces.
class GradientTasks {
 public:
  // Throws std::invalid_argument if the batch source cannot serve every node.
  GradientTasks(const DecentralizedConfig& config);

  // Starts the gradient of f_node at `x` (copied: the task's snapshot) as a
  // compute task whose completion fires on_compute_done(tag); the task writes
  // `gradient` (size d), which the caller must not touch until then.
  void start(Context& ctx, std::span<const double> x, std::span<double> gradient, std::uint64_t tag,
             std::shared_ptr<void> keep_alive = nullptr);
  // The same into a shared buffer, which the task keeps alive until it ends
  // (a node may drop it: an outage abandons the task).
  void start(Context& ctx, std::span<const double> x, std::shared_ptr<std::vector<double>> gradient,
             std::uint64_t tag);

 private:
  // The task's work, on whichever thread runs it.
  void compute(NodeId node, std::span<const double> x, std::span<const std::uint32_t> batch,
               std::span<double> gradient, std::uint64_t tag, std::uint64_t private_step,
               double expected_batch) const;

  struct Workspace {
    std::unique_ptr<ModelWorkspace> model;
    Dataset generated;
    std::vector<std::uint32_t> all_rows;
    DpSgdWorkspace private_gradient;
  };
  struct NodeSampler {
    MinibatchSampler sampler;
    RandomStream stream;
  };
  std::shared_ptr<const Model> model_;
  BatchSource source_;
  std::size_t batch_size_;
  std::uint64_t seed_;
  std::vector<NodeSampler> samplers_;  // empty when samples are generated
  // The nodes' samples, node after node (see the constructor); samplers and
  // pools hold positions in it. Null when samples are generated.
  std::shared_ptr<const Dataset> node_data_;
  SamplePrivacy privacy_;
  double message_privacy_flops_ = 0;  // local DP: the clip and noise of the round's message
  ComputeCost full_batch_cost_;       // gradient_cost of a whole batch, computed once
  // Under DP-SGD with Poisson sampling: each node's sample positions (the pool).
  std::vector<std::vector<std::uint32_t>> pools_;
  std::vector<std::uint64_t> private_steps_;  // DP steps each node has started (keys its noise)
  std::shared_ptr<tbb::enumerable_thread_specific<Workspace>> workspaces_;
};

// When a round's gradient is needed (see the design note above).
enum class GradientTiming { none, overlapped, before_send, pipelined };

class RoundBasedAlgorithm : public DecentralizedAlgorithm {
 public:
  ~RoundBasedAlgorithm() override;

  void on_start(Context& ctx) final;
  void on_message(Context& ctx, NodeId from, const Message& message) final;
  void on_compute_done(Context& ctx, std::uint64_t tag) final;
  void on_timer(Context& ctx, std::uint64_t tag) final;

  std::uint64_t rounds_completed(NodeId node) const final { return rounds_[node].round; }
  std::size_t dimension() const final { return dimension_; }
  // With a round timeout, a node back from an outage catches up until its last round.
  bool resumes_on_rejoin(NodeId node) const final {
    return config_.round_timeout > 0 && rounds_[node].round < config_.rounds;
  }
  std::vector<std::string> waits(const Engine& engine) const final;
  // With a round timeout, a crashed node's last model stands in for it in the
  // evaluations of every round after its last (as a rejoining node's does for
  // the rounds it skips): the others finish without it.
  bool stand_in_for_crashed(const Engine& engine) final;

  // With a round timeout: round_timeouts, messages_missed, messages_late, each
  // summed over the rounds since the previous row (a node's event in its round
  // t, 0-based, counts for row round t + 1 and later).
  static std::vector<std::string> timeout_metric_columns();
  void metric_values(std::uint64_t round, std::vector<double>& row) const override;
  std::vector<std::pair<std::string, double>> summary_figures() const override;

 protected:
  using Received = ReceivedMessage;

  // `snapshots` (may be null) outlives the behaviour. Throws
  // std::invalid_argument on an inconsistent config.
  RoundBasedAlgorithm(DecentralizedConfig config, RoundSnapshots* snapshots, GradientTiming timing);

  // Makes the node's round-`round` message once the gradient is ready (where
  // the timing needs one; `gradient` is empty otherwise); may update the node's
  // own state (CHOCO updates x_hat here). Returns null to send nothing.
  virtual std::shared_ptr<const VectorMessage> make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                            std::span<const double> gradient) = 0;
  // What `neighbour` receives of the round's `message` (from make_message):
  // the message itself by default (one message to every neighbour); an
  // algorithm with a different message per edge (PowerGossip) makes its slice
  // here, and the slice's bits are what travels on that edge.
  virtual std::shared_ptr<const VectorMessage> message_to(NodeId /*node*/, NodeId /*neighbour*/,
                                                          const std::shared_ptr<const VectorMessage>& message) const {
    return message;
  }
  // Every round-`round` message has arrived (in neighbour order in
  // `received`); `gradient` is the round's gradient for `overlapped` and
  // `before_send`, empty otherwise.
  virtual void complete_round(Context& ctx, NodeId node, std::uint64_t round, std::span<const Received> received,
                              std::span<const double> gradient) = 0;
  // Where the node's next gradient is evaluated: its model by default.
  virtual std::span<const double> gradient_point(NodeId node) const { return model(node); }

  // The compute cost of combining `received` messages in `round`, charged as a
  // compute task before complete_round; zero (the default): no task.
  virtual ComputeCost combine_cost(NodeId /*node*/, std::uint64_t /*round*/, std::size_t /*received*/) const {
    return {};
  }

  // Whether nodes exchange messages in `round` (local SGD skips some rounds).
  virtual bool communicates(std::uint64_t /*round*/) const { return true; }
  // Whether a node waits for messages in `round` (overlap SGP mixes round t's
  // messages in round t + tau, so it hears none in its first tau rounds).
  virtual bool receives(std::uint64_t /*round*/) const { return true; }

  // Public copies (CHOCO, with a round timeout). A node's copy of neighbour
  // j's public copy goes stale when it completes a round without j's
  // message (timeout, loss, j down) or comes back from an outage; it then
  // asks j for its full copy (a flag on its next round message to j, again
  // every second round until it comes), and j sends, in place of its next
  // round message to it, full_public_copy(j, round): its public copy after
  // that round's increment, exact fp64 (VectorMessage::full_copy). Null
  // (the default): the algorithm keeps no public copies.
  virtual std::shared_ptr<const VectorMessage> full_public_copy(NodeId /*node*/, std::uint64_t /*round*/) const {
    return nullptr;
  }
  virtual bool keeps_public_copies() const { return false; }

  // w_ii of the round `node` is completing (only inside complete_round): the
  // row's, plus the weights of the neighbours not heard after a timeout; 0 in
  // the round a rejoining node averages its neighbours (RejoinModel::average),
  // whose Received weights are then renormalised to sum 1.
  double self_weight(NodeId node) const { return rounds_[node].self_weight; }
  // out = self_weight(node) own + sum_j w_ij (decoded message of j): one gossip average of round `round`.
  void mix(NodeId node, std::uint64_t round, std::span<const double> own, std::span<const Received> received,
           std::span<double> out) const;

  const DecentralizedConfig& config() const { return config_; }
  const VectorCodec& codec() const { return codec_; }
  LocalOptimizer& optimizer(NodeId node) { return optimizers_[node]; }
  // The initial model of `node` (the config's, or the shared initialisation).
  const std::vector<double>& initial_model(NodeId node) const;
  bool is_byzantine(NodeId node) const { return byzantine_[node] != 0; }

 private:
  struct RoundState {
    std::uint64_t round = 0;
    RoundInbox inbox;                // this round's messages and those of later rounds
    // Written by the gradient task; a fresh buffer replaces it after an outage
    // that abandoned a task (which keeps the old one alive until it ends).
    std::shared_ptr<std::vector<double>> gradient;
    std::uint64_t gradient_round = kNoRound;      // the round whose gradient has arrived
    std::uint64_t gradient_requested = kNoRound;  // the round whose gradient was last started
    bool sent = false;               // this round's message is out
    bool rejoined = false;           // back from an outage, idle for good (no round timeout)
    // Round timeout: when the current wait ends (kNever: no wait), whether the
    // one timer is pending, and the round that timed out.
    SimTime deadline = kNever;
    bool timer_pending = false;
    std::uint64_t expired_round = kNoRound;
    bool catching_up = false;                 // back from an outage, waiting for a neighbour
    // Public copies: neighbours whose copy here is stale, each with the round
    // of the last request (kNoRound: not asked yet), and the neighbours that
    // asked this node for its full copy.
    std::map<NodeId, std::uint64_t> stale;
    std::vector<NodeId> send_full;
    bool started = false;                     // on_start ran (round 0 is handed in)
    bool stood_in = false;                    // crashed: handed in for its remaining rounds
    std::uint64_t average_round = kNoRound;   // RejoinModel::average: the round that averages
    double self_weight = 1.0;                 // see self_weight()
    enum class Combine { idle, running, done } combine = Combine::idle;  // the combine_cost task
    // Byzantine nodes only: the round's attack waits to be sent, the node's own
    // message (the carrier of label-flip and dissensus), and the honest
    // messages of the previous round (attackers that are not omniscient).
    bool attack_pending = false;
    std::shared_ptr<const VectorMessage> own_message;
    std::vector<Received> seen_honest;
  };

  static constexpr std::uint32_t kVectorTag = 1;  // every message of the rounds
  static constexpr std::uint32_t kVectorAndResyncTag = 2;  // the same, asking for the receiver's full public copy
  // Public copies: the node's copy of each of `neighbours` is stale.
  void mark_stale(RoundState& state, std::span<const NodeId> neighbours) const;
  static constexpr std::uint64_t kNoRound = ~std::uint64_t{0};
  // Per round (1-based: a node's event in round t counts for t + 1): what the timeouts did.
  struct RoundFaults {
    std::uint64_t timeouts = 0, missed = 0, late = 0;
  };

  void begin_round(Context& ctx, RoundState& state);
  void send_round(Context& ctx, RoundState& state);
  void try_complete(Context& ctx, RoundState& state);
  // Round timeout: the node waits from now on for its neighbours.
  void arm_deadline(Context& ctx, RoundState& state);
  // After an outage: carry on in the current round (what was in flight is lost).
  void resume(Context& ctx, RoundState& state);
  // After an outage: move to a neighbour's round `round` (> state.round).
  void jump_to(Context& ctx, RoundState& state, std::uint64_t round);
  void count_fault(std::uint64_t round, const RoundFaults& faults);
  void start_gradient(Context& ctx, RoundState& state, std::uint64_t round);
  std::size_t expected_messages(NodeId node, std::uint64_t round) const;
  void broadcast(Context& ctx, NodeId self, std::uint64_t round, std::shared_ptr<const VectorMessage> message);
  // Byzantine nodes (byzantine_messages.cpp).
  // `expired`: the round timed out, send with the honest messages that are in.
  void send_attack_if_ready(Context& ctx, RoundState& state, bool expired = false);
  std::vector<Received> with_dissensus(NodeId self, std::uint64_t round, std::span<const Received> received) const;

  DecentralizedConfig config_;
  RoundSnapshots* snapshots_;
  GradientTiming timing_;
  std::size_t dimension_;
  VectorCodec codec_;
  std::vector<double> shared_start_;
  std::vector<RoundState> rounds_;
  std::vector<LocalOptimizer> optimizers_;
  std::unique_ptr<GradientTasks> gradients_;
  std::vector<char> byzantine_;  // per node
  // Round timeout figures, from any thread (integer sums: order-independent).
  mutable std::mutex faults_mutex_;
  std::map<std::uint64_t, RoundFaults> faults_;
  std::uint64_t rejoins_ = 0, rounds_skipped_ = 0, full_copies_sent_ = 0;
  mutable std::uint64_t reported_through_ = 0;  // metric_values: the previous row's round
  // Local DP: each node's last released model (empty before its first message).
  std::vector<std::vector<double>> released_;
};

}  // namespace dlsim
