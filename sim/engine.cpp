// The engine kernel: node lifecycle, the fifo network, compute tasks and the
// windowed parallel loop. See engine.hpp for the design note.
#include "sim/engine.hpp"

#include <fmt/core.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <bit>
#include <utility>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/detail/compute_job.hpp"
#include "sim/detail/engine_core.hpp"
#include "sim/detail/tsan_annotations.hpp"
#include "sim/units.hpp"

namespace dlsim {

using detail::ComputeJob;
using detail::EventKind;
using detail::EventRecord;
using detail::LifecycleChange;
using detail::NodeStatus;

namespace {

constexpr std::uint64_t kLossPurpose = purpose_id("sim.network.loss");
constexpr std::uint64_t kJitterPurpose = purpose_id("sim.network.jitter");
constexpr std::uint64_t kLatencyPurpose = purpose_id("sim.network.latency");
constexpr std::uint64_t kComputePurpose = purpose_id("sim.compute.jitter");
constexpr std::uint64_t kChurnPurpose = purpose_id("sim.faults.churn");

using BodyHolder = std::shared_ptr<const MessageBody>;
// A message event's value is its size in bits; the sign bit (sizes are never
// negative) says that the payload field holds the message's inline word
// rather than a BodyHolder.
constexpr std::int64_t kWordFlag = std::numeric_limits<std::int64_t>::min();
std::int64_t message_bits(const EventRecord& event) { return event.value & ~kWordFlag; }
bool carries_word(const EventRecord& event) { return event.value < 0; }
// One mix over the fields that identify an event (time, kind, source, target,
// bits or tag). The hash keeps kind and origin from the key but not the
// sequence number.
inline std::uint64_t event_hash(const EventRecord& event, std::uint64_t sequence_mask) {
  const std::uint64_t fields = static_cast<std::uint64_t>(event.time) * 0x9E3779B97F4A7C15ULL ^
                               (event.order & ~sequence_mask) ^
                               (std::uint64_t{event.target} * 0xC2B2AE3D27D4EB4FULL) ^
                               (static_cast<std::uint64_t>(event.value) * 0x165667B19E3779F9ULL);
  return mix64(fields);
}

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument(message);
}

void validate(const EngineConfig& config) {
  require(config.nodes >= 1 && config.nodes <= kMaxNodes,
          fmt::format("engine: nodes must be in [1, {}] (32-bit node ids), got {}", kMaxNodes, config.nodes));
  require(config.threads >= 1, fmt::format("engine: threads must be >= 1, got {}", config.threads));
  const NetworkConfig& network = config.network;
  require(network.latency.base >= 0 && network.latency.spread >= 0 &&
              network.latency.jitter_mean >= 0,
          "network: latency values must not be negative");
  require(network.latency.hub == LatencyModel::kNoHub ||
              (network.latency.hub < config.nodes && network.latency.hub_latency >= 0),
          "network: the hub must be a node and its latency must not be negative");
  require(network.latency.spread <= kLatestTime - network.latency.base,
          "network: latency plus spread is beyond the clock's range (int64 nanoseconds)");
  for (const auto& [link, latency] : network.latency.per_link) {
    require(latency >= 0, "network: latency table values must not be negative");
    require(link.first < config.nodes && link.second < config.nodes,
            fmt::format("network: latency table names link {}-{} outside the {} nodes",
                        link.first, link.second, config.nodes));
  }
  for (const auto* rates : {&network.uplink_bps, &network.downlink_bps}) {
    require(rates->empty() || rates->size() == config.nodes,
            fmt::format("network: {} bandwidth values for {} nodes", rates->size(), config.nodes));
    for (std::int64_t rate : *rates) require(rate >= 0, "network: bandwidth must not be negative");
  }
  require(network.loss_probability >= 0.0 && network.loss_probability <= 1.0,
          fmt::format("network: loss probability must be in [0, 1], got {}",
                      network.loss_probability));
  const ComputeConfig& compute = config.compute;
  require(compute.flops_per_second > 0 && compute.bytes_per_second > 0,
          "compute: rates must be positive");
  require(compute.speed_factor.empty() || compute.speed_factor.size() == config.nodes,
          fmt::format("compute: {} speed factors for {} nodes", compute.speed_factor.size(),
                      config.nodes));
  for (double factor : compute.speed_factor)
    require(factor > 0 && std::isfinite(factor), "compute: speed factors must be positive");
  require(compute.jitter_sigma >= 0 && std::isfinite(compute.jitter_sigma),
          "compute: jitter sigma must not be negative");
  const FaultConfig& faults = config.faults;
  for (const auto& [node, time] : faults.crashes)
    require(node < config.nodes && time >= 0,
            fmt::format("faults: crash of node {} at {} is outside the run", node, time));
  require((faults.churn_mean_up > 0) == (faults.churn_mean_down > 0),
          "faults: churn needs both a mean up time and a mean down time");
  require(faults.churn_mean_up >= 0 && faults.churn_mean_down >= 0,
          "faults: churn means must not be negative");
  for (NodeId node : faults.churn_nodes)
    require(node < config.nodes, fmt::format("faults: churn names node {} of {}", node,
                                             config.nodes));
}

}  // namespace

double compute_seconds(const ComputeConfig& compute, NodeId node, const ComputeCost& cost) {
  double seconds = std::max(cost.flops / compute.flops_per_second, cost.bytes / compute.bytes_per_second);
  if (!compute.speed_factor.empty()) seconds /= compute.speed_factor[node];
  return seconds;
}

NodeCounters& NodeCounters::operator+=(const NodeCounters& other) {
  messages_sent += other.messages_sent;
  bits_sent += other.bits_sent;
  messages_received += other.messages_received;
  bits_received += other.bits_received;
  messages_dropped += other.messages_dropped;
  bits_dropped += other.bits_dropped;
  return *this;
}

// ---------------------------------------------------------------- Context

void Context::send(NodeId to, Message message) { runner_.send(*this, to, std::move(message)); }
void Context::set_timer(SimTime delay, std::uint64_t tag) { runner_.set_timer(*this, delay, tag); }
void Context::set_timeout(SimTime delay, std::uint64_t tag) { runner_.set_timeout(*this, delay, tag); }
void Context::start_compute(ComputeCost cost, ComputeWork work, std::uint64_t tag) {
  runner_.start_compute(*this, cost, std::move(work), tag);
}
void Context::request_stop() { runner_.core().stop_requested.store(true); }

namespace detail {

// ---------------------------------------------------------------- NodeRunner

NodeRunner::NodeRunner(EngineCore& core) : core_(core) {
  const std::uint64_t seed_key = RandomStream::seed_key(core.config.seed);
  purpose_keys_ = PurposeKeyCache{seed_key, 0, RandomStream::purpose_key(seed_key, 0)};
}

namespace {

// The error paths of send and next_sequence, out of line and marked cold:
// formatting a message inline made every send set up a larger frame.
[[noreturn, gnu::cold, gnu::noinline]] void throw_sequence_overflow(NodeId node, std::uint64_t limit) {
  throw std::overflow_error(fmt::format("node {} scheduled more than {} events", node, limit));
}

[[noreturn, gnu::cold, gnu::noinline]] void throw_bad_send(NodeId node, NodeId to, std::uint32_t nodes,
                                                          std::int64_t bits) {
  if (to >= nodes) throw std::logic_error(fmt::format("node {} sent to node {} of {}", node, to, nodes));
  throw std::logic_error(fmt::format("node {} sent a message of {} bits", node, bits));
}

}  // namespace

inline std::uint64_t NodeRunner::next_sequence(NodeId node) {
  const std::uint64_t sequence = core_.next_sequence[node]++;
  if (sequence > core_.layout.sequence_mask) throw_sequence_overflow(node, core_.layout.sequence_mask + 1);
  return sequence;
}

NodeCounters& NodeRunner::counters_of(NodeId node) {
  return core_.counters.empty() ? totals : core_.counters[node];
}

// push and emit are always inlined (into send, set_timer...): a new event
// then goes into the queue's chunk without a call per event and its copy of
// the record (pushing took 6-9% of PHOLD's time at 10^2 and 10^4 pending).
[[gnu::always_inline]] inline void EngineCore::push(const EventRecord& event) {
  pending_activity_ += kind_of(event.order) != EventKind::lifecycle;
  queue_.push(event);
}

[[gnu::always_inline]] inline void NodeRunner::emit(const EventRecord& event) {
  if (event.target == current_node_ && event.time < window_end_) {
    emit_local(event);
  } else if (push_directly) {
    core_.push(event);
  } else {
    output.push_back(event);
  }
}

void NodeRunner::emit_local(const EventRecord& event) {
  local_.push_back(event);
  std::push_heap(local_.begin(), local_.end(),
                 [](const EventRecord& a, const EventRecord& b) { return key_less(b, a); });
}

void NodeRunner::schedule_lifecycle(NodeId node, SimTime time, LifecycleChange change) {
  emit(EventRecord{time, core_.layout.make_order(EventKind::lifecycle, node, next_sequence(node)), node, 0,
                   static_cast<std::int64_t>(change), nullptr});
}

void NodeRunner::run_nodes(const EventRecord* begin, const EventRecord* end, SimTime window_end) {
  window_end_ = window_end;
  // One Context for all the groups: at 10^2 pending PHOLD events a window
  // holds about six events for six nodes, and setting a Context up per node
  // cost as much as one of its hooks' calls.
  Context ctx(*this, begin->target, core_.config.nodes, core_.config.seed, purpose_keys_);
  while (begin != end) {
    const EventRecord* group_end = begin + 1;
    while (group_end != end && group_end->target == begin->target) ++group_end;
    run_node(ctx, begin, group_end);
    begin = group_end;
  }
}

inline void NodeRunner::run_node(Context& ctx, const EventRecord* begin, const EventRecord* end) {
  current_node_ = begin->target;
  ctx.self_ = current_node_;
  local_.clear();
  auto later = [](const EventRecord& a, const EventRecord& b) { return key_less(b, a); };
  while (begin != end || !local_.empty()) {
    if (local_.empty() || (begin != end && key_less(*begin, local_.front()))) {
      handle(ctx, *begin++);
    } else {
      std::pop_heap(local_.begin(), local_.end(), later);
      const EventRecord event = local_.back();
      local_.pop_back();
      handle(ctx, event);
    }
  }
}

// The common events inline: a message that arrives where no bandwidth is
// limited, and a timer; the rest (lifecycle changes, transfers through a
// downlink, deliveries, compute completions) out of line in handle_other.
[[gnu::always_inline]] inline void NodeRunner::handle(Context& ctx, const EventRecord& event) {
  ++events;
  fingerprint += event_hash(event, core_.layout.sequence_mask);
  ctx.now_ = event.time;
  ctx.event_order_ = event.order;
  ctx.rng_calls_ = 0;
  const EventKind kind = kind_of(event.order);
  if (kind == EventKind::nic_arrival && core_.unlimited_bandwidth) {
    deliver(ctx, event);
  } else if (kind == EventKind::timer) {
    const NodeId node = event.target;
    if (core_.status[node] == NodeStatus::up && event.tag == core_.epoch[node])
      if (NodeBehaviour* behaviour = core_.behaviour_of(node))
        behaviour->on_timer(ctx, static_cast<std::uint64_t>(event.value));
  } else {
    handle_other(ctx, event);
  }
}

void NodeRunner::handle_other(Context& ctx, const EventRecord& event) {
  const NodeId node = event.target;
  NodeBehaviour* behaviour = core_.behaviour_of(node);
  NodeStatus& status = core_.status[node];
  const FaultConfig& faults = core_.config.faults;

  auto churn_delay = [&](SimTime mean) {
    RandomStream stream(core_.config.seed, node, kChurnPurpose, core_.next_sequence[node]);
    return std::max<SimTime>(1, checked_duration(stream.exponential(static_cast<double>(mean)), "a churn period"));
  };

  switch (kind_of(event.order)) {
    case EventKind::lifecycle:
      ++lifecycle_events;
      switch (static_cast<LifecycleChange>(event.value)) {
        case LifecycleChange::start:
          if (status == NodeStatus::up) {
            if (behaviour) behaviour->on_start(ctx);
            if (!core_.churns.empty() && core_.churns[node])
              schedule_lifecycle(node, checked_add(event.time, churn_delay(faults.churn_mean_up), "a churn period"),
                                 LifecycleChange::go_down);
          }
          break;
        case LifecycleChange::crash:
          if (status != NodeStatus::crashed) ++core_.epoch[node];
          status = NodeStatus::crashed;
          break;
        case LifecycleChange::go_down:
          if (status == NodeStatus::up) {
            status = NodeStatus::down;
            ++core_.epoch[node];
            core_.went_down[node] = event.time;
            schedule_lifecycle(node, checked_add(event.time, churn_delay(faults.churn_mean_down), "a churn period"),
                               LifecycleChange::come_up);
          }
          break;
        case LifecycleChange::come_up:
          if (status == NodeStatus::down) {
            status = NodeStatus::up;
            ctx.rejoining_ = true;
            ctx.outage_began_ = core_.went_down[node];
            if (behaviour) behaviour->on_start(ctx);
            ctx.rejoining_ = false;
            schedule_lifecycle(node, checked_add(event.time, churn_delay(faults.churn_mean_up), "a churn period"),
                               LifecycleChange::go_down);
          }
          break;
      }
      break;
    case EventKind::nic_arrival: {
      // Down (deliver counts the drop; handle delivers it where no bandwidth
      // is limited anywhere): the message is delivered as it arrives.
      if (status != NodeStatus::up) {
        deliver(ctx, event);
        break;
      }
      // Cut-through: the message streams through the receiver's downlink at
      // its rate, but cannot finish before its last bit left the sender.
      const NodeId source = core_.layout.origin_of(event.order);
      const std::int64_t up_rate = core_.uplink_bps(source);
      const std::int64_t down_rate = core_.downlink_bps(node);
      const SimTime last_bit =
          checked_add(event.time, up_rate > 0 ? transfer_duration(message_bits(event), up_rate) : 0, "a message's transfer");
      SimTime delivered = last_bit;
      if (down_rate > 0) {
        const SimTime down_start = std::max(event.time, core_.downlink_free[node]);
        delivered = std::max(delivered, checked_add(down_start, transfer_duration(message_bits(event), down_rate),
                                                    "a message's transfer"));
        core_.downlink_free[node] = delivered;
      }
      if (delivered == event.time) {
        deliver(ctx, event);
      } else {
        EventRecord delivery = event;
        delivery.time = delivered;
        delivery.order = core_.layout.make_order(EventKind::delivery, source, core_.layout.sequence_of(event.order));
        emit(delivery);
      }
      break;
    }
    case EventKind::delivery:
      deliver(ctx, event);
      break;
    case EventKind::compute_done: {
      static_cast<ComputeJob*>(event.payload)->join_then_release();
      if (status == NodeStatus::up && event.tag == core_.epoch[node] && behaviour)
        behaviour->on_compute_done(ctx, static_cast<std::uint64_t>(event.value));
      break;
    }
    case EventKind::timer:  // handled by handle
      break;
  }
}

// Inline (into handle): most messages carry a word or nothing, and then no
// holder or shared pointer is touched at all; a body's holder is taken over
// out of line, in deliver_body.
[[gnu::always_inline]] inline void NodeRunner::deliver(Context& ctx, const EventRecord& event) {
  const NodeId node = event.target;
  const NodeId source = core_.layout.origin_of(event.order);
  const auto bits = static_cast<std::uint64_t>(message_bits(event));
  const bool word = carries_word(event);
  const bool body = !word && event.payload != nullptr;
  NodeCounters& counters = counters_of(node);
  const double loss = core_.config.network.loss_probability;
  // The loss draw is keyed by the message itself, so it is the same whichever
  // thread or window delivers it.
  const bool lost = loss > 0 && RandomStream::keyed(core_.loss_key, source, core_.layout.sequence_of(event.order))
                                    .bernoulli(loss);
  if (lost || core_.status[node] != NodeStatus::up) {
    if (body) delete static_cast<BodyHolder*>(event.payload);
    ++counters.messages_dropped;
    counters.bits_dropped += bits;
    return;
  }
  ++counters.messages_received;
  counters.bits_received += bits;
  if (body) {
    deliver_body(ctx, event, source);
  } else if (NodeBehaviour* behaviour = core_.behaviour_of(node)) {
    Message message{event.tag, message_bits(event), nullptr, 0};
    if (word) message.word = reinterpret_cast<std::uintptr_t>(event.payload);
    behaviour->on_message(ctx, source, message);
  }
}

void NodeRunner::deliver_body(Context& ctx, const EventRecord& event, NodeId source) {
  std::unique_ptr<BodyHolder> holder(static_cast<BodyHolder*>(event.payload));
  if (NodeBehaviour* behaviour = core_.behaviour_of(event.target)) {
    Message message{event.tag, message_bits(event), std::move(*holder)};
    holder.reset();
    behaviour->on_message(ctx, source, message);
  }
}

// Always inlined into Context::send, its one caller: a message then costs
// one call, not two.
[[gnu::always_inline]] inline void NodeRunner::send(Context& ctx, NodeId to, Message&& message) {
  const NodeId node = ctx.self();
  if (to >= core_.config.nodes || message.size_bits < 0)
    throw_bad_send(node, to, core_.config.nodes, message.size_bits);
  const std::uint64_t sequence = next_sequence(node);
  if (message.body && message.word != 0)
    throw std::logic_error(fmt::format("node {} sent a message with both a body and a word", node));
  NodeCounters& counters = counters_of(node);
  ++counters.messages_sent;
  counters.bits_sent += static_cast<std::uint64_t>(message.size_bits);
  SimTime latency = core_.link_latency(node, to);
  const SimTime jitter_mean = core_.config.network.latency.jitter_mean;
  if (jitter_mean > 0) {
    RandomStream jitter = RandomStream::keyed(core_.jitter_key, node, sequence);
    latency = checked_add(latency, checked_duration(jitter.exponential(static_cast<double>(jitter_mean)), "network jitter"),
                          "a message's latency");
  }
  // A body travels in a holder; a word (or nothing) in the payload field itself.
  static_assert(sizeof(void*) == sizeof(std::uint64_t), "the inline word needs 64-bit pointers");
  // A zero word is no payload at all, as before words existed.
  const bool word = !message.body && message.word != 0;
  void* payload = message.body ? new BodyHolder(std::move(message.body))
                               : reinterpret_cast<void*>(static_cast<std::uintptr_t>(message.word));
  const std::int64_t value = word ? (message.size_bits | kWordFlag) : message.size_bits;
  const SimTime now = ctx.now();
  if (core_.fair_) {
    flow_starts.push_back(FlowRequest{
        EventRecord{now, core_.layout.make_order(EventKind::delivery, node, sequence), to, message.tag,
                    value, payload},
        latency});
    return;
  }
  SimTime up_start = now;
  const std::int64_t up_rate = core_.uplink_bps(node);
  if (up_rate > 0) {
    up_start = std::max(now, core_.uplink_free[node]);
    core_.uplink_free[node] = checked_add(up_start, transfer_duration(message.size_bits, up_rate), "a message's transfer");
  }
  emit(EventRecord{checked_add(up_start, latency, "a message's arrival"), core_.layout.make_order(EventKind::nic_arrival, node, sequence), to,
                   message.tag, value, payload});
}

void NodeRunner::set_timer(Context& ctx, SimTime delay, std::uint64_t tag) {
  const NodeId node = ctx.self();
  if (delay < 0) throw std::logic_error(fmt::format("node {} set a negative timer", node));
  emit(EventRecord{checked_add(ctx.now(), delay, "a timer"), core_.layout.make_order(EventKind::timer, node, next_sequence(node)),
                   node, core_.epoch[node], static_cast<std::int64_t>(tag), nullptr});
}

void NodeRunner::set_timeout(Context& ctx, SimTime delay, std::uint64_t tag) {
  const NodeId node = ctx.self();
  if (delay < 0) throw std::logic_error(fmt::format("node {} set a negative timeout", node));
  // The engine's origin: no event of the node's own sequence has that key, so
  // keys stay unique for the node; the counter is the node's timeouts only.
  const std::uint64_t sequence = core_.timeout_sequence[node]++;
  if (sequence > core_.layout.sequence_mask)
    throw std::overflow_error(fmt::format("node {} set more than {} timeouts", node,
                                          core_.layout.sequence_mask + 1));
  emit(EventRecord{checked_add(ctx.now(), delay, "a timeout"), core_.layout.make_order(EventKind::timer, core_.layout.engine_origin(), sequence),
                   node, core_.epoch[node], static_cast<std::int64_t>(tag), nullptr});
}

// The least work (in the cost model's flops) a task needs to be handed to the pool when it starts.
constexpr double kEarlyTaskFlops = 1e5;

void NodeRunner::start_compute(Context& ctx, ComputeCost cost, ComputeWork work,
                               std::uint64_t tag) {
  const NodeId node = ctx.self();
  if (!(cost.flops >= 0 && cost.bytes >= 0 && std::isfinite(cost.flops) &&
        std::isfinite(cost.bytes)))
    throw std::logic_error(fmt::format("node {} started a task with a bad cost", node));
  const std::uint64_t sequence = next_sequence(node);
  RandomStream jitter(core_.config.seed, node, kComputePurpose, sequence);
  const SimTime done = checked_add(ctx.now(), core_.compute_duration(node, cost, jitter), "a compute task");
  // A task goes to the pool at once only when it is worth a hand-off (a few
  // microseconds of queueing and waking a thread): a small one (a minibatch
  // gradient of a small model, about a microsecond) runs at its completion
  // event, in parallel with the other nodes' events of that window. Where a
  // task runs never changes what it computes.
  const bool early = core_.arena && cost.flops >= kEarlyTaskFlops;
  auto* job = new ComputeJob(std::move(work), early ? 2 : 1);
  if (early) {
    DLSIM_HAPPENS_BEFORE(job);
    core_.arena->enqueue(core_.compute_tasks.defer([job] {
      DLSIM_HAPPENS_AFTER(job);
      job->run_if_pending();
      job->release();
    }));
  }
  emit(EventRecord{done, core_.layout.make_order(EventKind::compute_done, node, sequence),
                   node, core_.epoch[node], static_cast<std::int64_t>(tag), job});
}

// ---------------------------------------------------------------- EngineCore

NodeBehaviour EngineCore::no_behaviour;

EngineCore::EngineCore(EngineConfig engine_config)
    : config(std::move(engine_config)),
      lookahead(config.network.latency.minimum()),
      queue_(config.network.latency.minimum()),
      runners_([this] { return NodeRunner(*this); }),
      inline_runner_(*this) {
  const std::uint32_t n = config.nodes;
  layout = KeyLayout::for_nodes(n);
  const std::uint64_t seed_key = RandomStream::seed_key(config.seed);
  jitter_key = RandomStream::purpose_key(seed_key, kJitterPurpose);
  loss_key = RandomStream::purpose_key(seed_key, kLossPurpose);
  latency_key = RandomStream::purpose_key(seed_key, kLatencyPurpose);
  same_latency_everywhere = config.network.latency.kind == LatencyModel::Kind::constant &&
                            config.network.latency.hub == LatencyModel::kNoHub;
  unlimited_bandwidth = config.network.uplink_bps.empty() && config.network.downlink_bps.empty();
  target_bits_ = std::max(1, static_cast<int>(std::bit_width(n - 1)));
  // All zero is each array's initial state (NodeStatus::up is 0).
  static_assert(static_cast<int>(NodeStatus::up) == 0);
  next_sequence = ZeroedArray<std::uint64_t>(n);
  timeout_sequence = ZeroedArray<std::uint64_t>(n);
  if (config.per_node_counters) counters = ZeroedArray<NodeCounters>(n);
  status = ZeroedArray<NodeStatus>(n);
  epoch = ZeroedArray<std::uint32_t>(n);
  if (config.network.model == NetworkModel::fair) {
    fair_.emplace(config.network.uplink_bps, config.network.downlink_bps, n, layout);
  } else {
    if (!config.network.uplink_bps.empty()) uplink_free = ZeroedArray<SimTime>(n);
    if (!config.network.downlink_bps.empty()) downlink_free = ZeroedArray<SimTime>(n);
  }
  if (config.faults.churn_mean_up > 0) {
    churns.assign(n, config.faults.churn_nodes.empty());
    for (NodeId node : config.faults.churn_nodes) churns[node] = true;
    went_down = ZeroedArray<SimTime>(n);
  }
  if (config.threads > 1) arena = std::make_unique<tbb::task_arena>(config.threads);
}

EngineCore::~EngineCore() {
  queue_.for_each([this](const EventRecord& event) { release_payload(event); });
  if (fair_) fair_->for_each_delivery([this](const EventRecord& event) { release_payload(event); });
  // Every job's work has run by now (released above or handled); what is left
  // of an enqueued task is its reference, which it drops when it runs.
  if (arena) arena->execute([this] { compute_tasks.wait(); });
}

void EngineCore::release_payload(const EventRecord& event) {
  switch (kind_of(event.order)) {
    case EventKind::nic_arrival:
    case EventKind::delivery:
      if (!carries_word(event)) delete static_cast<BodyHolder*>(event.payload);
      break;
    case EventKind::compute_done:
      try {
        static_cast<ComputeJob*>(event.payload)->join_then_release();
      } catch (...) {
        // The run is over; a failed task no longer matters.
      }
      break;
    default:
      break;
  }
}

std::int64_t EngineCore::uplink_bps(NodeId node) const {
  return config.network.uplink_bps.empty() ? kUnlimitedBandwidth : config.network.uplink_bps[node];
}

std::int64_t EngineCore::downlink_bps(NodeId node) const {
  return config.network.downlink_bps.empty() ? kUnlimitedBandwidth
                                             : config.network.downlink_bps[node];
}

SimTime EngineCore::varying_link_latency(NodeId from, NodeId to) const {
  const LatencyModel& latency = config.network.latency;
  if (latency.hub != LatencyModel::kNoHub && (from == latency.hub || to == latency.hub)) return latency.hub_latency;
  const NodeId low = std::min(from, to), high = std::max(from, to);
  switch (latency.kind) {
    case LatencyModel::Kind::constant:
      return latency.base;
    case LatencyModel::Kind::uniform: {
      // Drawn from the link's own stream: the same every time it is asked.
      RandomStream stream = RandomStream::keyed(latency_key, low, high);
      return latency.base +
             static_cast<SimTime>(stream.uniform_int(static_cast<std::uint64_t>(latency.spread) + 1));
    }
    case LatencyModel::Kind::table: {
      auto it = latency.per_link.find({low, high});
      return it == latency.per_link.end() ? latency.base : it->second;
    }
  }
  return latency.base;
}

SimTime EngineCore::compute_duration(NodeId node, const ComputeCost& cost,
                                     RandomStream& jitter) const {
  double seconds = compute_seconds(config.compute, node, cost);
  if (config.compute.jitter_sigma > 0) seconds *= std::exp(config.compute.jitter_sigma * jitter.normal());
  return checked_duration(std::ceil(seconds * 1e9), "a compute task's duration");
}

// The start events (time 0, lifecycle, the engine's origin, sequence = node
// id) are not queued: run_starts makes them a slice of nodes at a time, so
// that 10^7 nodes do not need 10^7 queued records plus a window of them.
void EngineCore::start_nodes() {
  started_ = true;
  starts_pending_ = true;
  engine_sequence_ = config.nodes;
  for (const auto& [node, time] : config.faults.crashes) {
    queue_.push(EventRecord{time,
                            layout.make_order(EventKind::lifecycle, layout.engine_origin(), engine_sequence_++),
                            node, 0, static_cast<std::int64_t>(LifecycleChange::crash), nullptr});
  }
}

void EngineCore::run_starts(SimTime window_end) {
  starts_pending_ = false;
  // What the first window holds besides the starts: crashes before window_end.
  EventBuffer early;
  if (queue_.first_bucket_start() == 0) queue_.pop_bucket(0, window_end, early);
  std::sort(early.begin(), early.end(), [](const EventRecord& a, const EventRecord& b) {
    return a.target != b.target ? a.target < b.target : key_less(a, b);
  });
  for (const EventRecord& event : early) stats.last_event_time = std::max(stats.last_event_time, event.time);
  // Each node's group is its start (the smallest key it can have) and then its early events.
  constexpr std::uint32_t kSliceNodes = 1u << 16;
  const std::uint32_t n = config.nodes;
  std::size_t next_early = 0;
  const std::uint64_t windows = stats.windows;
  for (std::uint32_t first = 0; first < n; first = first + std::min(kSliceNodes, n - first)) {
    const std::uint32_t last = first + std::min(kSliceNodes, n - first);
    window_.clear();
    for (NodeId node = first; node < last; ++node) {
      window_.push_back(EventRecord{0, layout.make_order(EventKind::lifecycle, layout.engine_origin(), node), node, 0,
                                    static_cast<std::int64_t>(LifecycleChange::start), nullptr});
      while (next_early < early.size() && early[next_early].target == node) window_.push_back(early[next_early++]);
    }
    process_window(window_, window_end, EventQueue::PoppedOrder::as_pushed);
  }
  stats.windows = windows + 1;  // one window, however many slices
}

bool EngineCore::past_wall_deadline(std::size_t window_events) {
  if (limits.wall_deadline == std::chrono::steady_clock::time_point::max()) return false;
  events_since_clock_ += window_events;
  if (++windows_since_clock_ < 64 && events_since_clock_ < 16384) return false;
  windows_since_clock_ = 0;
  events_since_clock_ = 0;
  return std::chrono::steady_clock::now() >= limits.wall_deadline;
}

RunOutcome EngineCore::run_until(SimTime until) {
  if (!started_) start_nodes();
  stop_requested.store(false);  // a stop ends one call; the next one continues
  const SimTime width = queue_.bucket_width();
  if (starts_pending_) {
    if (until <= 0) {
      now = std::max(now, until);
      return RunOutcome::reached_time;
    }
    const SimTime window_end = std::min(width, until);
    run_starts(window_end);
    merge_outputs(window_end);
    if (stop_requested.load(std::memory_order_relaxed)) {
      now = window_end;
      return RunOutcome::stop_requested;
    }
  }
  while (!stop_requested.load(std::memory_order_relaxed)) {
    const SimTime first_bucket = queue_.first_bucket_start();
    SimTime window_start = first_bucket;
    if (fair_) {
      const SimTime completion = fair_->next_completion();
      if (completion != kNever) window_start = std::min(window_start, completion / width * width);
    }
    if (window_start == kNever) {
      now = std::max(now, until);
      return RunOutcome::queue_empty;
    }
    if (window_start >= until) break;
    // Saturating: a window near the end of the clock's range must not wrap around.
    const SimTime window_end = window_start > until - width ? until : std::min(window_start + width, until);
    window_.clear();
    EventQueue::PoppedOrder order = EventQueue::PoppedOrder::as_pushed;
    if (first_bucket == window_start) {
      order = queue_.pop_bucket(window_start, window_end, window_, target_bits_);
      // In locals: stored through `this` inside the loop, both were written
      // back to memory for every event (the records might alias them).
      std::size_t activity = 0;
      SimTime latest = stats.last_event_time;
      for (const EventRecord& event : window_) {
        activity += kind_of(event.order) != EventKind::lifecycle;
        latest = std::max(latest, event.time);
      }
      pending_activity_ -= activity;
      stats.last_event_time = latest;
    }
    // Nothing before the horizon in the earliest bucket: everything left is later.
    if (window_.empty() && window_end == until &&
        (!fair_ || fair_->next_completion() >= window_end))
      break;
    now = std::max(now, window_start);
    process_window(window_, window_end, order);
    merge_outputs(window_end);
    if (stop_requested.load(std::memory_order_relaxed)) {
      now = window_end;
      return RunOutcome::stop_requested;
    }
    if (limits.return_when_idle && pending_activity_ == 0 && !queue_.empty() &&
        (!fair_ || fair_->active_flows() == 0)) {
      now = window_end;
      return RunOutcome::idle;
    }
    if (past_wall_deadline(window_.size())) {
      now = window_end;
      return RunOutcome::wall_deadline;
    }
  }
  if (stop_requested.load(std::memory_order_relaxed)) return RunOutcome::stop_requested;
  now = std::max(now, until);
  return RunOutcome::reached_time;
}

namespace {

// Insertion sort, for windows and groups of a few events (the queue's small
// buckets, sort_grouped's groups), where std::sort's set-up (and its calls
// through a comparison pointer) cost more than the few moves.
void insertion_sort_by_target_then_key(EventRecord* begin, EventRecord* end) {
  for (EventRecord* next = begin + (begin != end); next < end; ++next) {
    const EventRecord event = *next;
    EventRecord* hole = next;
    for (; hole != begin && target_then_key_less(event, hole[-1]); --hole) *hole = hole[-1];
    *hole = event;
  }
}

// One level of an in-place MSD radix sort (McIlroy, Bostic and McIlroy,
// "Engineering radix sort", Computing Systems 1993: the American flag sort)
// on the target's bits [low, high), the top 11 of them at a time, then the
// same on each bucket for the bits below; small ranges by comparison. After
// the first level a bucket fits in cache, so only the first pass walks the
// whole window. Keys are unique per target (origin and sequence, or the
// engine's origin and its own counter), so the result is one order, whatever
// the sort's stability.
void flag_sort(EventRecord* begin, EventRecord* end, int high) {
  constexpr std::ptrdiff_t kSmall = 64;
  // The comparisons as lambdas, not function pointers: std::sort then
  // inlines them (a call per comparison was 1.5% of PHOLD at 10^6 pending).
  if (end - begin <= kSmall) {
    std::sort(begin, end, [](const EventRecord& a, const EventRecord& b) { return target_then_key_less(a, b); });
    return;
  }
  if (high <= 0) {  // one target: by key
    std::sort(begin, end, [](const EventRecord& a, const EventRecord& b) { return key_less(a, b); });
    return;
  }
  constexpr int kBits = 11;
  const int low = std::max(0, high - kBits);
  const unsigned mask = (1u << (high - low)) - 1;
  const unsigned buckets = mask + 1;
  std::array<std::size_t, (1u << kBits) + 1> starts{};
  for (const EventRecord* event = begin; event != end; ++event) ++starts[((event->target >> low) & mask) + 1];
  for (unsigned digit = 0; digit < buckets; ++digit) starts[digit + 1] += starts[digit];
  std::array<std::size_t, 1u << kBits> next{};
  std::copy(starts.begin(), starts.begin() + buckets, next.begin());
  for (unsigned digit = 0; digit < buckets; ++digit) {
    while (next[digit] < starts[digit + 1]) {
      EventRecord& event = begin[next[digit]];
      const unsigned own = (event.target >> low) & mask;
      if (own == digit) {
        ++next[digit];
      } else {
        std::swap(event, begin[next[own]++]);
      }
    }
  }
  for (unsigned digit = 0; digit < buckets; ++digit)
    if (starts[digit + 1] - starts[digit] >= 2) flag_sort(begin + starts[digit], begin + starts[digit + 1], low);
}

// Windows up to this many events are sorted out of place, by a stable LSD
// radix sort through a buffer: in cache, that is faster than the in-place
// sort's swaps (0.91x at 10^4 pending PHOLD events without it), and the
// buffer stays small.
constexpr std::size_t kOutOfPlaceSortLimit = std::size_t{1} << 16;

// Stable LSD radix sort on the target, 11 bits a pass, through `scratch`;
// then each target's few events by key (insertion sort).
void radix_sort_out_of_place(EventBuffer& window, EventBuffer& scratch,
                             int target_bits) {
  constexpr int kBits = 11;
  constexpr std::uint32_t kBuckets = 1u << kBits;
  // Only grows: resizing up again would zero the difference every window.
  if (scratch.size() < window.size()) scratch.resize(window.size());
  EventRecord* from = window.data();
  EventRecord* to = scratch.data();
  std::array<std::uint32_t, kBuckets> starts{};
  for (int shift = 0; shift < std::max(target_bits, 1); shift += kBits) {
    starts.fill(0);
    for (std::size_t i = 0; i < window.size(); ++i) ++starts[(from[i].target >> shift) & (kBuckets - 1)];
    std::uint32_t sum = 0;
    for (std::uint32_t& start : starts) sum += std::exchange(start, sum);
    for (std::size_t i = 0; i < window.size(); ++i) to[starts[(from[i].target >> shift) & (kBuckets - 1)]++] = from[i];
    std::swap(from, to);
  }
  if (from != window.data()) std::copy(from, from + window.size(), window.data());
  for (std::size_t begin = 0; begin < window.size();) {
    std::size_t end = begin + 1;
    while (end < window.size() && window[end].target == window[begin].target) ++end;
    for (std::size_t i = begin + 1; i < end; ++i)
      for (std::size_t j = i; j > begin && key_less(window[j], window[j - 1]); --j) std::swap(window[j], window[j - 1]);
    begin = end;
  }
}

// A window that the queue grouped by the top 11 target bits (pop_bucket's
// counting scatter) needs only each group sorted. Worth it when the groups
// are small, a few events each (PHOLD at 10^4 pending: windows of 640
// events in groups of 0.3 on average), where the radix sort's two passes
// over 2048 digits cost more than the events; returns false (and leaves the
// window as it was) when they are larger.
bool sort_grouped(EventBuffer& window, int target_bits) {
  constexpr int kBits = 11;
  constexpr std::size_t kMeanGroupLimit = 8;
  const int low = std::max(0, target_bits - kBits);
  if (window.size() > kMeanGroupLimit << (target_bits - low)) return false;
  for (std::size_t begin = 0; begin < window.size();) {
    const std::uint32_t digit = window[begin].target >> low;
    std::size_t end = begin + 1;
    while (end < window.size() && (window[end].target >> low) == digit) ++end;
    if (end - begin <= 16) {
      insertion_sort_by_target_then_key(window.data() + begin, window.data() + end);
    } else {
      std::sort(window.data() + begin, window.data() + end,
                [](const EventRecord& a, const EventRecord& b) { return target_then_key_less(a, b); });
    }
    begin = end;
  }
  return true;
}

// Orders a window by (target, key), unless the queue gave it ready to run. Grouped
// windows with small groups: each group alone (sort_grouped). Small windows:
// a comparison sort (an insertion sort up to kInsertionLimit events); up to
// kOutOfPlaceSortLimit events: the radix sort through `scratch`; larger ones
// in place (flag_sort): a window holds mostly one event per node, and at 10^7
// nodes a second buffer the size of the window would be a large part of the
// engine's memory. target_bits: every target is below 2^target_bits (the same
// digits as EventQueue::pop_bucket's grouping, so that flag_sort's first pass
// moves nothing). Keys are unique, so all three give the same order.
void sort_by_target_then_key(EventBuffer& window, EventBuffer& scratch,
                             int target_bits, EventQueue::PoppedOrder order) {
  constexpr std::size_t kInsertionLimit = 16;
  constexpr std::size_t kRadixThreshold = 256;
  if (order == EventQueue::PoppedOrder::each_node_in_key_order) return;
  if (order == EventQueue::PoppedOrder::grouped && sort_grouped(window, target_bits)) return;
  if (window.size() <= kInsertionLimit) {
    insertion_sort_by_target_then_key(window.data(), window.data() + window.size());
  } else if (window.size() < kRadixThreshold) {
    std::sort(window.begin(), window.end(),
              [](const EventRecord& a, const EventRecord& b) { return target_then_key_less(a, b); });
  } else if (window.size() <= kOutOfPlaceSortLimit) {
    radix_sort_out_of_place(window, scratch, target_bits);
  } else {
    flag_sort(window.data(), window.data() + window.size(), target_bits);
  }
}

}  // namespace

namespace {

// The part of `window` (sorted by target) that the slice [begin, end) runs:
// the groups of nodes whose events start in the slice, the last one possibly
// reaching past `end`. A group that starts before `begin` belongs to whoever
// covers its start. Empty (begin == end) when the slice holds no group's start.
std::pair<std::size_t, std::size_t> groups_starting_in(const EventBuffer& window, std::size_t begin,
                                                       std::size_t end) {
  while (begin < end && begin > 0 && window[begin - 1].target == window[begin].target) ++begin;
  if (begin == end) return {end, end};
  while (end < window.size() && window[end].target == window[end - 1].target) ++end;
  return {begin, end};
}

}  // namespace

void EngineCore::process_window(EventBuffer& window, SimTime window_end,
                                EventQueue::PoppedOrder order) {
  ++stats.windows;
  if (window.empty()) return;
  // Grouping by target and then by key gives each node its events in order,
  // and walks node state in memory order. The groups are found on the fly:
  // a table of them would cost 16 bytes per node of a large window.
  sort_by_target_then_key(window, sort_scratch_, target_bits_, order);
  // A TBB dispatch costs a few microseconds: only windows with more work than that go parallel.
  const bool parallel =
      arena && window.front().target != window.back().target &&
      (config.always_parallel ||
       static_cast<double>(window.size()) * nanoseconds_per_event_ >= 20'000.0);
  if (parallel) {
    ++stats.parallel_windows;
    runners_used_ = true;
    // In slices of events, each slice's outputs merged before the next: the
    // per-thread output buffers then hold one slice's events, not a window's
    // (a gossip round at 10^7 nodes is one window of 2 * 10^7 events). The
    // queue does not care when or in which order events reach it.
    constexpr std::size_t kSliceEvents = std::size_t{1} << 17;
    for (std::size_t first = 0; first < window.size(); first += kSliceEvents) {
      const std::size_t last = std::min(window.size(), first + kSliceEvents);
      DLSIM_HAPPENS_BEFORE(&window);
      arena->execute([&] {
        tbb::parallel_for(tbb::blocked_range<std::size_t>(first, last),
                          [&](const tbb::blocked_range<std::size_t>& range) {
                            DLSIM_HAPPENS_AFTER(&window);
                            const auto [begin, end] = groups_starting_in(window, range.begin(), range.end());
                            if (begin < end)
                              runners_.local().run_nodes(window.data() + begin, window.data() + end, window_end);
                            DLSIM_HAPPENS_BEFORE(&window_end);
                          });
      });
      DLSIM_HAPPENS_AFTER(&window_end);
      merge_runner_outputs();
    }
    return;
  }
  NodeRunner& runner = inline_runner_;
  // Time a sample of inline windows: the estimate decides when TBB pays off.
  const bool timed = arena && (stats.windows % 16 == 0);
  const auto started = timed ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  runner.push_directly = true;
  runner.run_nodes(window.data(), window.data() + window.size(), window_end);
  runner.push_directly = false;
  if (timed) {
    const double elapsed =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - started).count();
    nanoseconds_per_event_ = 0.8 * nanoseconds_per_event_ + 0.2 * elapsed / static_cast<double>(window.size());
  }
}

void EngineCore::merge_runner_outputs() {
  for (NodeRunner& runner : runners_) {
    for (const EventRecord& event : runner.output) push(event);
    runner.output.clear();
  }
}

void EngineCore::merge_outputs(SimTime window_end) {
  flow_starts_.clear();
  auto merge = [&](NodeRunner& runner) {
    stats.events += runner.events;
    stats.lifecycle_events += runner.lifecycle_events;
    stats.fingerprint += runner.fingerprint;
    totals += runner.totals;
    runner.events = 0;
    runner.lifecycle_events = 0;
    runner.fingerprint = 0;
    runner.totals = NodeCounters{};
    for (const EventRecord& event : runner.output) push(event);
    runner.output.clear();
    if (!runner.flow_starts.empty()) {  // the fair model only: no range insert's call per window otherwise
      flow_starts_.insert(flow_starts_.end(), runner.flow_starts.begin(), runner.flow_starts.end());
      runner.flow_starts.clear();
    }
  };
  merge(inline_runner_);
  // Walking the thread-specific runners costs a lock-free list walk per
  // window: only a parallel window leaves anything in them.
  if (runners_used_) {
    for (NodeRunner& runner : runners_) merge(runner);
    runners_used_ = false;
  }
  if (fair_) {
    std::sort(flow_starts_.begin(), flow_starts_.end(),
              [](const FlowRequest& a, const FlowRequest& b) { return key_less(a.delivery, b.delivery); });
    deliveries_.clear();
    fair_->advance(flow_starts_, window_end, deliveries_);
    for (const EventRecord& event : deliveries_) push(event);
  }
}

std::size_t EngineCore::pending_events() const {
  return queue_.size() + (fair_ ? fair_->active_flows() : 0) + (starts_pending_ ? config.nodes : 0);
}

std::size_t EngineCore::memory_bytes() const { return queue_.memory_bytes(); }

}  // namespace detail

// ---------------------------------------------------------------- Engine facade

Engine::Engine(EngineConfig config) {
  validate(config);
  core_ = std::make_unique<detail::EngineCore>(std::move(config));
}
Engine::~Engine() = default;

void Engine::set_behaviour(NodeId node, NodeBehaviour* behaviour) {
  if (node >= core_->config.nodes)
    throw std::invalid_argument(fmt::format("engine: no node {} (of {})", node, core_->config.nodes));
  if (core_->behaviours.empty()) core_->behaviours = detail::ZeroedArray<NodeBehaviour*>(core_->config.nodes);
  core_->behaviours[node] = behaviour != nullptr ? behaviour : &detail::EngineCore::no_behaviour;
}
void Engine::set_behaviour_all(NodeBehaviour* behaviour) {
  core_->default_behaviour = behaviour;
  core_->behaviours = detail::ZeroedArray<NodeBehaviour*>();  // no per-node table: every node gets the default
}
RunOutcome Engine::run_until(SimTime until) { return core_->run_until(until); }
void Engine::set_limits(const RunLimits& limits) { core_->limits = limits; }
SimTime Engine::now() const { return core_->now; }
SimTime Engine::lookahead() const { return core_->lookahead; }
std::size_t Engine::pending_events() const { return core_->pending_events(); }
std::size_t Engine::queue_memory_bytes() const { return core_->memory_bytes(); }
const EngineStats& Engine::stats() const { return core_->stats; }
const NodeCounters& Engine::counters(NodeId node) const {
  if (core_->counters.empty())
    throw std::logic_error("engine: per-node counters are off (EngineConfig::per_node_counters)");
  if (node >= core_->config.nodes) throw std::out_of_range(fmt::format("engine: no node {}", node));
  return core_->counters[node];
}
NodeCounters Engine::total_counters() const {
  NodeCounters total = core_->totals;
  for (const NodeCounters& counters : core_->counters) total += counters;
  return total;
}
bool Engine::is_up(NodeId node) const {
  if (node >= core_->config.nodes) throw std::out_of_range(fmt::format("engine: no node {}", node));
  return core_->status[node] == NodeStatus::up;
}
bool Engine::will_rejoin(NodeId node) const {
  if (node >= core_->config.nodes) throw std::out_of_range(fmt::format("engine: no node {}", node));
  return !core_->churns.empty() && core_->churns[node] && core_->status[node] != NodeStatus::crashed;
}
std::uint32_t Engine::node_count() const { return core_->config.nodes; }
const EngineConfig& Engine::config() const { return core_->config; }

}  // namespace dlsim
