// Synchronous rounds over messages; see round_based.hpp.
#include "algorithms/decentralized/round_based.hpp"

#include <Eigen/Core>
#include <fmt/core.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include "sim/engine.hpp"
#include "privacy/local_dp.hpp"
#include "privacy/privacy_ledger.hpp"
#include "sim/random.hpp"

namespace dlsim {
namespace {

// Compute tags: a round's gradient is tagged with the round; the combine task with this bit set.
constexpr std::uint64_t kCombineTag = std::uint64_t{1} << 63;

}  // namespace

double MixingSchedule::weight(NodeId node, NodeId neighbour, std::uint64_t round) const {
  const MixingRow& mixing_row = row(node, round);
  const auto it = std::lower_bound(mixing_row.neighbours.begin(), mixing_row.neighbours.end(), neighbour);
  if (it == mixing_row.neighbours.end() || *it != neighbour)
    throw std::logic_error(fmt::format("node {} got a round-{} message from {}, not its neighbour in that round",
                                       node, round, neighbour));
  return mixing_row.weights[static_cast<std::size_t>(it - mixing_row.neighbours.begin())];
}

GradientTasks::GradientTasks(const DecentralizedConfig& config)
    : model_(config.model),
      source_(config.batches),
      batch_size_(config.batch_size),
      seed_(config.seed),
      privacy_(config.privacy),
      message_privacy_flops_(local_dp_flops(static_cast<double>(config.model->dimension()), config.message_privacy)),
      workspaces_(std::make_shared<tbb::enumerable_thread_specific<Workspace>>()) {
  if (batch_size_ == 0) throw std::invalid_argument("the batch size must be positive");
  full_batch_cost_ = gradient_cost(*model_, source_, static_cast<double>(batch_size_));
  if (privacy_.enabled) {
    if (source_.generate) throw std::invalid_argument("DP-SGD needs a stored data set, not samples generated on demand");
    private_steps_.assign(config.nodes, 0);
  }
  if (source_.generate) return;
  if (!source_.data || source_.partition.size() != config.nodes)
    throw std::invalid_argument("training data and a partition over the nodes are needed");
  // Every node's samples copied once, in node order and in the order of the
  // node's index list, into one data set: a node's minibatch is then read
  // from one block of memory, and the nodes' blocks follow each other as the
  // engine visits the nodes, instead of rows scattered over the whole set (an
  // iid partition's), which made reading the rows most of a node-round. The
  // sampler shuffles positions in the block the way it shuffled the indices,
  // so every batch holds the same samples in the same order as before.
  std::size_t total = 0;
  for (NodeId node = 0; node < config.nodes; ++node) {
    if (source_.partition[node].empty())
      throw std::invalid_argument(fmt::format("node {} holds no training samples", node));
    total += source_.partition[node].size();
  }
  std::vector<std::uint32_t> rows;
  rows.reserve(total);
  for (const std::vector<std::uint32_t>& indices : source_.partition) rows.insert(rows.end(), indices.begin(), indices.end());
  node_data_ = std::make_shared<const Dataset>(subset(*source_.data, rows));
  rows = {};
  samplers_.reserve(config.nodes);
  std::uint32_t offset = 0;
  for (NodeId node = 0; node < config.nodes; ++node) {
    std::vector<std::uint32_t> positions(source_.partition[node].size());
    std::iota(positions.begin(), positions.end(), offset);
    offset += static_cast<std::uint32_t>(positions.size());
    // DP-SGD's Poisson sampling draws from the same positions.
    if (privacy_.enabled && privacy_.poisson) pools_.push_back(positions);
    samplers_.push_back(NodeSampler{MinibatchSampler(std::move(positions), batch_size_),
                                    RandomStream(seed_, node, purpose_id("data.sampler"))});
  }
  source_.partition = {};
}

ComputeCost gradient_cost(const Model& model, const BatchSource& source, double samples) {
  double flops_per_sample = 0, input_dim = 0;
  if (source.generate) {
    Dataset shape;
    shape.dim = source.generated_dim;
    flops_per_sample = model.flops_per_sample(shape);
    input_dim = static_cast<double>(source.generated_dim);
  } else {
    flops_per_sample = model.flops_per_sample(*source.data);
    input_dim = static_cast<double>(source.data->dim);
  }
  // Forward and backward pass: about three times the forward flops.
  return ComputeCost{3.0 * flops_per_sample * samples, 4.0 * samples * input_dim};
}

void GradientTasks::start(Context& ctx, std::span<const double> x, std::shared_ptr<std::vector<double>> gradient,
                          std::uint64_t tag) {
  const std::span<double> target(*gradient);
  start(ctx, x, target, tag, std::move(gradient));
}

void GradientTasks::start(Context& ctx, std::span<const double> x, std::span<double> gradient, std::uint64_t tag,
                          std::shared_ptr<void> keep_alive) {
  const NodeId node = ctx.self();
  std::vector<std::uint32_t> batch;
  double samples = static_cast<double>(batch_size_);
  // DP-SGD: the step's number keys its Poisson sample and its noise.
  const std::uint64_t private_step = privacy_.enabled ? private_steps_[node]++ : 0;
  double expected_batch = 0;
  if (privacy_.enabled && privacy_.poisson) {
    const std::vector<std::uint32_t>& pool = pools_[node];
    const double q = poisson_sampling_rate(batch_size_, pool.size());
    RandomStream sampling(seed_, node, purpose_id("privacy.poisson"), private_step);
    poisson_sample(pool, q, sampling, batch);
    samples = static_cast<double>(batch.size());
    expected_batch = q * static_cast<double>(pool.size());
  } else if (!source_.generate) {
    const auto next = samplers_[node].sampler.next(samplers_[node].stream);
    batch.assign(next.begin(), next.end());
    samples = static_cast<double>(batch.size());
    expected_batch = samples;
  }
  // The cost is linear in the samples: only a batch of another size (Poisson's, an epoch's short last one) needs its own.
  ComputeCost cost = samples == static_cast<double>(batch_size_) ? full_batch_cost_ : gradient_cost(*model_, source_, samples);
  if (privacy_.enabled) {
    if (privacy_.ledger) privacy_.ledger->record_steps(node);
    cost.flops += private_gradient_flops(samples, static_cast<double>(model_->dimension()), privacy_.parameters);
  }
  // Local DP: the round's message is clipped and noised once per gradient (local-sgd: per step, an upper bound).
  cost.flops += message_privacy_flops_;
  // The task keeps a plain pointer to this object, which outlives it (the
  // engine runs or joins every task before its behaviour goes), and what is
  // its own (the snapshot of x, the batch, the keys of its streams): small
  // enough for the engine's job to hold it without an allocation of its own.
  auto work = [tasks = this, x = std::vector<double>(x.begin(), x.end()), batch = std::move(batch), gradient, node,
               tag, private_step, expected_batch, keep_alive = std::move(keep_alive)] {
    tasks->compute(node, x, batch, gradient, tag, private_step, expected_batch);
  };
  static_assert(sizeof(work) <= ComputeWork::kInlineBytes);
  ctx.start_compute(cost, std::move(work), tag);
}

void GradientTasks::compute(NodeId node, std::span<const double> x, std::span<const std::uint32_t> batch,
                            std::span<double> gradient, std::uint64_t tag, std::uint64_t private_step,
                            double expected_batch) const {
  Workspace& workspace = workspaces_->local();
  if (!workspace.model) workspace.model = model_->make_workspace();
  if (source_.generate) {
    // Generated samples: a stream of their own per node and round (the tag).
    constexpr std::uint64_t kOnDemandPurpose = purpose_id("data.on_demand");
    RandomStream generator_stream(seed_, node, kOnDemandPurpose, tag);
    source_.generate(node, batch_size_, generator_stream, workspace.generated);
    workspace.all_rows.resize(workspace.generated.size());
    std::iota(workspace.all_rows.begin(), workspace.all_rows.end(), 0u);
    model_->gradient(x, workspace.generated, workspace.all_rows, gradient, *workspace.model);
  } else if (privacy_.enabled) {
    // DP-SGD's noise: the step's number keys it.
    constexpr std::uint64_t kNoisePurpose = purpose_id("privacy.noise");
    RandomStream noise(seed_, node, kNoisePurpose, private_step);
    private_loss_and_gradient(*model_, x, *node_data_, batch, expected_batch, gradient, *workspace.model,
                              workspace.private_gradient, privacy_.parameters, noise);
  } else {
    model_->gradient(x, *node_data_, batch, gradient, *workspace.model);
  }
}

RoundBasedAlgorithm::RoundBasedAlgorithm(DecentralizedConfig config, RoundSnapshots* snapshots,
                                         GradientTiming timing)
    : config_(std::move(config)), snapshots_(snapshots), timing_(timing), codec_(config_.compressor) {
  const std::uint32_t n = config_.nodes;
  if (!config_.model) throw std::invalid_argument("a model is needed");
  dimension_ = config_.model->dimension();
  if (config_.mixing.period.empty()) throw std::invalid_argument("a mixing matrix is needed");
  for (const auto& rows : config_.mixing.period)
    if (rows.size() != n) throw std::invalid_argument("one mixing row per node is needed");
  if (!config_.initial_models.empty()) {
    if (config_.initial_models.size() != n) throw std::invalid_argument("one initial model per node is needed");
    for (const auto& x : config_.initial_models)
      if (x.size() != dimension_) throw std::invalid_argument("an initial model has the wrong dimension");
  } else {
    shared_start_.assign(dimension_, 0.0);
    RandomStream init(config_.seed, 0, purpose_id("model.init"));
    config_.model->initialize(shared_start_, init);
  }
  if (config_.local_steps == 0) throw std::invalid_argument("local_steps must be at least 1");
  validate(config_.optimizer);
  if (timing_ != GradientTiming::none) gradients_ = std::make_unique<GradientTasks>(config_);
  if (config_.round_timeout < 0) throw std::invalid_argument("the round timeout must be positive (0: none)");
  rounds_.resize(n);
  if (config_.message_privacy.enabled) released_.resize(n);
  if (timing_ != GradientTiming::none)
    for (RoundState& state : rounds_) state.gradient = std::make_shared<std::vector<double>>(dimension_, 0.0);
  optimizers_.assign(n, LocalOptimizer(&config_.optimizer));
  byzantine_.assign(n, 0);
  for (NodeId node : config_.byzantine) {
    if (node >= n) throw std::invalid_argument(fmt::format("Byzantine node {} is not one of the {} nodes", node, n));
    byzantine_[node] = 1;
  }
}

RoundBasedAlgorithm::~RoundBasedAlgorithm() = default;

const std::vector<double>& RoundBasedAlgorithm::initial_model(NodeId node) const {
  return config_.initial_models.empty() ? shared_start_ : config_.initial_models[node];
}

void RoundBasedAlgorithm::mix(NodeId node, std::uint64_t round, std::span<const double> own,
                              std::span<const Received> received, std::span<double> out) const {
  (void)round;
  const double own_weight = self_weight(node);
  const auto n = static_cast<Eigen::Index>(out.size());
  Eigen::Map<Eigen::VectorXd>(out.data(), n) = own_weight * Eigen::Map<const Eigen::VectorXd>(own.data(), n);
  for (const Received& in : received) codec_.add_decoded(*in.message, in.weight, out);
}

std::size_t RoundBasedAlgorithm::expected_messages(NodeId node, std::uint64_t round) const {
  return communicates(round) && receives(round) ? config_.mixing.row(node, round).neighbours.size() : 0;
}

void RoundBasedAlgorithm::on_start(Context& ctx) {
  if (ctx.rejoining()) {
    RoundState& state = rounds_[ctx.self()];
    if (config_.round_timeout == 0) {  // without a timeout, synchronous rounds cannot resume after an outage
      state.rejoined = true;
      return;
    }
    if (state.round >= config_.rounds) return;
    {
      std::lock_guard lock(faults_mutex_);
      ++rejoins_;
    }
    // The outage discarded the node's timer, its compute tasks and the
    // messages sent to it. A gradient task may still be running on the pool
    // into the old buffer: give the node a new one.
    state.timer_pending = false;
    state.combine = RoundState::Combine::idle;
    if (state.gradient && state.gradient_requested != kNoRound && state.gradient_requested != state.gradient_round)
      state.gradient = std::make_shared<std::vector<double>>(dimension_, 0.0);
    state.gradient_requested = state.gradient_round;
    state.catching_up = true;
    state.deadline = kNever;
    // What the neighbours sent while the node was down is lost: its copies of theirs are stale.
    if (keeps_public_copies()) mark_stale(state, config_.mixing.row(ctx.self(), state.round).neighbours);
    arm_deadline(ctx, state);
    return;
  }
  RoundState& state = rounds_[ctx.self()];
  state.started = true;
  if (snapshots_ && snapshots_->contribute(ctx.self(), 0, ctx.now(), model(ctx.self()))) ctx.request_stop();
  begin_round(ctx, state);
}

void RoundBasedAlgorithm::start_gradient(Context& ctx, RoundState& state, std::uint64_t round) {
  state.gradient_requested = round;
  gradients_->start(ctx, gradient_point(ctx.self()), state.gradient, round);
}

void RoundBasedAlgorithm::begin_round(Context& ctx, RoundState& state) {
  if (state.round >= config_.rounds) return;
  state.sent = false;
  switch (timing_) {
    case GradientTiming::none:
      send_round(ctx, state);
      break;
    case GradientTiming::overlapped:
      send_round(ctx, state);
      start_gradient(ctx, state, state.round);
      break;
    case GradientTiming::before_send:
      start_gradient(ctx, state, state.round);
      break;
    case GradientTiming::pipelined:
      // Round 0's gradient starts here; later ones were started when the
      // previous round's message went out.
      // (After an outage that lost it, this round's gradient starts here too.)
      if (state.gradient_round == state.round) send_round(ctx, state);
      else if (state.gradient_requested != state.round) start_gradient(ctx, state, state.round);
      break;
  }
  try_complete(ctx, state);
}

void RoundBasedAlgorithm::send_round(Context& ctx, RoundState& state) {
  const NodeId self = ctx.self();
  const bool with_gradient = timing_ == GradientTiming::before_send || timing_ == GradientTiming::pipelined;
  const std::span<const double> gradient =
      with_gradient ? std::span<const double>(*state.gradient) : std::span<const double>();
  std::shared_ptr<const VectorMessage> message = make_message(ctx, self, state.round, gradient);
  state.sent = true;
  if (byzantine_[self]) {
    state.own_message = message;
    state.attack_pending = message && communicates(state.round) && config_.attack.kind != AttackKind::none;
    send_attack_if_ready(ctx, state);
  } else if (message && communicates(state.round)) {
    if (config_.message_privacy.enabled) {
      // Local DP: the neighbours get the noised release, the node keeps its own model.
      if (!codec_.exact()) throw std::logic_error("local DP needs exact model messages");
      RandomStream noise(config_.seed, self, purpose_id("privacy.message_noise"), state.round);
      privatize_model(message->exact, released_[self], config_.message_privacy, noise);
      auto released = std::make_shared<VectorMessage>();
      released->round = message->round;
      released->exact = released_[self];
      message = std::move(released);
      if (config_.message_privacy.ledger) config_.message_privacy.ledger->record_steps(self);
    }
    broadcast(ctx, self, state.round, std::move(message));
  }
  if (timing_ == GradientTiming::pipelined && state.round + 1 < config_.rounds)
    start_gradient(ctx, state, state.round + 1);
}

void RoundBasedAlgorithm::broadcast(Context& ctx, NodeId self, std::uint64_t round,
                                    std::shared_ptr<const VectorMessage> message) {
  const std::int64_t bits = codec_.bits(*message);
  std::shared_ptr<const MessageBody> body = message;
  RoundState& state = rounds_[self];
  if (!keeps_public_copies() || byzantine_[self]) {
    for (NodeId neighbour : config_.mixing.receivers(self, round)) {
      std::shared_ptr<const VectorMessage> slice = message_to(self, neighbour, message);
      if (slice == message) {
        ctx.send(neighbour, Message{kVectorTag, bits, body});
      } else {
        const std::int64_t slice_bits = codec_.bits(*slice);
        ctx.send(neighbour, Message{kVectorTag, slice_bits, std::shared_ptr<const MessageBody>(std::move(slice))});
      }
    }
    return;
  }
  std::shared_ptr<const VectorMessage> full;
  for (NodeId neighbour : config_.mixing.receivers(self, round)) {
    std::uint32_t tag = kVectorTag;
    // Ask again every second round: the reply comes with the neighbour's next round message.
    if (auto it = state.stale.find(neighbour);
        it != state.stale.end() && (it->second == kNoRound || round >= it->second + 2)) {
      it->second = round;
      tag = kVectorAndResyncTag;
    }
    if (std::find(state.send_full.begin(), state.send_full.end(), neighbour) != state.send_full.end()) {
      if (!full) full = full_public_copy(self, round);
      ctx.send(neighbour, Message{tag, codec_.bits(*full), full});
      std::lock_guard lock(faults_mutex_);
      ++full_copies_sent_;
    } else {
      ctx.send(neighbour, Message{tag, bits, body});
    }
  }
  state.send_full.clear();
}

void RoundBasedAlgorithm::mark_stale(RoundState& state, std::span<const NodeId> neighbours) const {
  for (NodeId neighbour : neighbours) state.stale.try_emplace(neighbour, kNoRound);
}

void RoundBasedAlgorithm::on_message(Context& ctx, NodeId from, const Message& message) {
  RoundState& state = rounds_[ctx.self()];
  auto body = std::static_pointer_cast<const VectorMessage>(message.body);
  const std::uint64_t round = body->round;
  if (message.tag == kVectorAndResyncTag && round < state.round &&
      std::find(state.send_full.begin(), state.send_full.end(), from) == state.send_full.end())
    state.send_full.push_back(from);  // a late message still carries its request
  if (round < state.round) {
    // Only a round timeout lets a node leave a round before all its messages are in.
    if (config_.round_timeout == 0)
      throw std::logic_error(fmt::format("node {} in round {} got a round-{} message from {}", ctx.self(),
                                         state.round, round, from));
    RoundFaults late;
    late.late = 1;
    count_fault(state.round, late);
    return;
  }
  if (message.tag == kVectorAndResyncTag &&
      std::find(state.send_full.begin(), state.send_full.end(), from) == state.send_full.end())
    state.send_full.push_back(from);
  const double weight = config_.mixing.weight(ctx.self(), from, round);
  if (state.catching_up && round > state.round) jump_to(ctx, state, round);
  state.inbox.add(round, Received{from, weight, std::move(body)});
  if (state.catching_up) {
    state.catching_up = false;
    state.deadline = kNever;  // the catch-up wait is over; the round's own starts when ready
    resume(ctx, state);
  } else if (round == state.round) {
    try_complete(ctx, state);
  }
}

void RoundBasedAlgorithm::count_fault(std::uint64_t round, const RoundFaults& faults) {
  std::lock_guard lock(faults_mutex_);
  RoundFaults& entry = faults_[round + 1];
  entry.timeouts += faults.timeouts;
  entry.missed += faults.missed;
  entry.late += faults.late;
}

void RoundBasedAlgorithm::arm_deadline(Context& ctx, RoundState& state) {
  if (config_.round_timeout == 0 || state.deadline != kNever) return;
  // A timeout beyond the clock's range (hundreds of years) is "for ever" in practice.
  state.deadline = ctx.now() > kLatestTime - config_.round_timeout ? kLatestTime : ctx.now() + config_.round_timeout;
  if (!state.timer_pending) {
    state.timer_pending = true;
    ctx.set_timeout(state.deadline - ctx.now(), 0);
  }
}

void RoundBasedAlgorithm::on_timer(Context& ctx, std::uint64_t) {
  RoundState& state = rounds_[ctx.self()];
  state.timer_pending = false;
  if (state.deadline == kNever) return;  // the wait it was set for is over
  if (ctx.now() < state.deadline) {      // set for an earlier wait: sleep on until this one's end
    state.timer_pending = true;
    ctx.set_timeout(state.deadline - ctx.now(), 0);
    return;
  }
  state.deadline = kNever;
  if (state.catching_up) {  // no neighbour spoke: carry on alone from its own round
    state.catching_up = false;
    resume(ctx, state);
    return;
  }
  state.expired_round = state.round;
  try_complete(ctx, state);
}

void RoundBasedAlgorithm::jump_to(Context& ctx, RoundState& state, std::uint64_t round) {
  const NodeId self = ctx.self();
  // The evaluations of the skipped rounds see the model the node has.
  for (std::uint64_t skipped = state.round + 1; skipped <= round && snapshots_; ++skipped)
    if (snapshots_->wanted(skipped) && snapshots_->contribute(self, skipped, ctx.now(), model(self)))
      ctx.request_stop();
  {
    std::lock_guard lock(faults_mutex_);
    rounds_skipped_ += round - state.round;
  }
  while (state.inbox.round() < round) state.inbox.advance();
  state.round = round;
  state.sent = false;
  state.attack_pending = false;
  if (config_.rejoin == RejoinModel::average) state.average_round = round;
}

void RoundBasedAlgorithm::resume(Context& ctx, RoundState& state) {
  if (state.round >= config_.rounds) return;
  if (!state.sent) {
    begin_round(ctx, state);
    return;
  }
  // The message is out; restart what the outage lost.
  if (timing_ == GradientTiming::overlapped && state.gradient_round != state.round)
    start_gradient(ctx, state, state.round);
  if (timing_ == GradientTiming::pipelined && state.round + 1 < config_.rounds &&
      state.gradient_requested != state.round + 1)
    start_gradient(ctx, state, state.round + 1);
  try_complete(ctx, state);
}

void RoundBasedAlgorithm::on_compute_done(Context& ctx, std::uint64_t tag) {
  RoundState& state = rounds_[ctx.self()];
  if (tag & kCombineTag) {
    state.combine = RoundState::Combine::done;
    try_complete(ctx, state);
    return;
  }
  state.gradient_round = tag;
  if (tag != state.round) return;  // pipelined: the next round's gradient, used when that round begins
  if ((timing_ == GradientTiming::before_send || timing_ == GradientTiming::pipelined) && !state.sent)
    send_round(ctx, state);
  try_complete(ctx, state);
}

void RoundBasedAlgorithm::try_complete(Context& ctx, RoundState& state) {
  const NodeId self = ctx.self();
  const std::uint64_t round = state.round;
  if (round >= config_.rounds || !state.sent || state.catching_up) return;
  const bool expired = state.expired_round == round;
  send_attack_if_ready(ctx, state, expired);
  std::vector<Received>& inbox = state.inbox.current();
  const bool needs_gradient = timing_ == GradientTiming::overlapped || timing_ == GradientTiming::before_send;
  if (timing_ == GradientTiming::overlapped && state.gradient_round != round) return;
  const std::size_t expected = expected_messages(self, round);
  if (inbox.size() < expected && !expired) {
    arm_deadline(ctx, state);  // ready to mix: the timeout runs from here
    return;
  }
  if (state.combine == RoundState::Combine::running) return;
  if (state.combine == RoundState::Combine::idle) {
    const ComputeCost cost = combine_cost(self, round, inbox.size());
    if (cost.flops > 0 || cost.bytes > 0) {
      state.combine = RoundState::Combine::running;
      ctx.start_compute(cost, [] {}, kCombineTag | round);
      return;
    }
  }
  state.combine = RoundState::Combine::idle;
  state.deadline = kNever;
  // Neighbour order, not arrival order: the update is then the same whatever the network did.
  std::sort(inbox.begin(), inbox.end(), [](const Received& a, const Received& b) { return a.from < b.from; });
  const MixingRow& row = config_.mixing.row(self, round);
  state.self_weight = row.self_weight;
  if (inbox.size() < expected) {
    // Timed out: the missing neighbours' weights go to w_ii (in neighbour order, so the sum is reproducible).
    RoundFaults faults;
    faults.timeouts = 1;
    faults.missed = expected - inbox.size();
    count_fault(round, faults);
    std::size_t next = 0;
    for (std::size_t k = 0; k < row.neighbours.size(); ++k) {
      if (next < inbox.size() && inbox[next].from == row.neighbours[k]) {
        ++next;
      } else {
        state.self_weight += row.weights[k];
        if (keeps_public_copies()) state.stale.try_emplace(row.neighbours[k], kNoRound);
      }
    }
  }
  // A full copy replaces everything the node had of that neighbour's.
  if (!state.stale.empty())
    for (const Received& in : inbox)
      if (in.message->full_copy) state.stale.erase(in.from);
  if (state.average_round == round) {
    // Back from an outage (RejoinModel::average): the neighbours' average, by their renormalised weights.
    double heard = 0;
    for (const Received& in : inbox) heard += in.weight;
    if (heard > 0) {
      state.self_weight = 0;
      for (Received& in : inbox) in.weight /= heard;
    }
    state.average_round = kNoRound;
  }
  const std::span<const double> gradient =
      needs_gradient ? std::span<const double>(*state.gradient) : std::span<const double>();
  if (byzantine_[self]) {
    state.seen_honest.clear();
    for (const Received& in : inbox)
      if (!byzantine_[in.from]) state.seen_honest.push_back(in);
  }
  if (config_.attack.kind == AttackKind::dissensus && !byzantine_[self])
    complete_round(ctx, self, round, with_dissensus(self, round, inbox), gradient);
  else
    complete_round(ctx, self, round, inbox, gradient);
  state.inbox.advance();
  ++state.round;
  if (snapshots_ && snapshots_->wanted(state.round) &&
      snapshots_->contribute(self, state.round, ctx.now(), model(self)))
    ctx.request_stop();
  begin_round(ctx, state);
}

std::vector<std::string> RoundBasedAlgorithm::timeout_metric_columns() {
  return {"round_timeouts", "messages_missed", "messages_late"};
}

void RoundBasedAlgorithm::metric_values(std::uint64_t round, std::vector<double>& row) const {
  if (config_.round_timeout == 0) return;
  RoundFaults sum;
  {
    std::lock_guard lock(faults_mutex_);
    for (auto it = faults_.upper_bound(reported_through_); it != faults_.end() && it->first <= round; ++it) {
      sum.timeouts += it->second.timeouts;
      sum.missed += it->second.missed;
      sum.late += it->second.late;
    }
  }
  reported_through_ = std::max(reported_through_, round);
  row.insert(row.end(), {static_cast<double>(sum.timeouts), static_cast<double>(sum.missed),
                         static_cast<double>(sum.late)});
}

std::vector<std::pair<std::string, double>> RoundBasedAlgorithm::summary_figures() const {
  if (config_.round_timeout == 0) return {};
  RoundFaults sum;
  std::lock_guard lock(faults_mutex_);
  for (const auto& [round, faults] : faults_) {
    sum.timeouts += faults.timeouts;
    sum.missed += faults.missed;
    sum.late += faults.late;
  }
  std::vector<std::pair<std::string, double>> figures{{"round_timeouts", static_cast<double>(sum.timeouts)},
          {"messages_missed", static_cast<double>(sum.missed)},
          {"messages_late", static_cast<double>(sum.late)},
          {"rejoins", static_cast<double>(rejoins_)},
          {"rounds_skipped", static_cast<double>(rounds_skipped_)}};
  if (keeps_public_copies()) figures.emplace_back("full_copies_sent", static_cast<double>(full_copies_sent_));
  return figures;
}

bool RoundBasedAlgorithm::stand_in_for_crashed(const Engine& engine) {
  if (config_.round_timeout == 0 || !snapshots_) return false;
  bool handed_in = false;
  for (NodeId node = 0; node < config_.nodes; ++node) {
    RoundState& state = rounds_[node];
    if (engine.is_up(node) || engine.will_rejoin(node) || state.stood_in) continue;
    state.stood_in = true;
    // Round 0 too if the node crashed before it started. Time 0: the round's
    // completion time is that of the last node that did it.
    for (std::uint64_t round = state.started ? state.round + 1 : 0; round <= config_.rounds; ++round)
      if (snapshots_->wanted(round)) {
        snapshots_->contribute(node, round, 0, model(node));
        handed_in = true;
      }
  }
  return handed_in;
}

std::vector<std::string> RoundBasedAlgorithm::waits(const Engine& engine) const {
  // (blocks others first, round, node) -> clause
  std::vector<std::tuple<int, std::uint64_t, NodeId, std::string>> clauses;
  for (NodeId node = 0; node < config_.nodes; ++node) {
    const RoundState& state = rounds_[node];
    const std::uint64_t round = state.round;
    if (round >= config_.rounds) continue;
    if (!engine.is_up(node)) {
      clauses.emplace_back(0, round, node,
                           fmt::format("node {} {} in round {}", node,
                                       engine.will_rejoin(node) ? "is down" : "crashed", round));
      continue;
    }
    if (state.rejoined) {
      clauses.emplace_back(0, round, node,
                           fmt::format("node {} is back from an outage in round {} but synchronous rounds do not "
                                       "resume",
                                       node, round));
      continue;
    }
    std::vector<NodeId> missing;
    if (communicates(round) && receives(round))
      for (NodeId neighbour : config_.mixing.row(node, round).neighbours) {
        const auto& arrived = state.inbox.current();
        if (std::none_of(arrived.begin(), arrived.end(), [&](const Received& in) { return in.from == neighbour; }))
          missing.push_back(neighbour);
      }
    std::string text;
    if (missing.empty()) {
      text = fmt::format("node {} is stuck in round {}", node, round);
    } else {
      constexpr std::size_t kNamed = 8;
      std::string names;
      for (std::size_t i = 0; i < std::min(missing.size(), kNamed); ++i)
        names += fmt::format("{}{}", i == 0 ? "" : ", ", missing[i]);
      if (missing.size() > kNamed) names += fmt::format(" and {} more", missing.size() - kNamed);
      text = fmt::format("node {} waits for round-{} messages from {}", node, round, names);
    }
    clauses.emplace_back(1, round, node, std::move(text));
  }
  std::sort(clauses.begin(), clauses.end());
  std::vector<std::string> result;
  for (auto& clause : clauses) result.push_back(std::move(std::get<3>(clause)));
  return result;
}

}  // namespace dlsim
