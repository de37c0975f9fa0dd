// The engine's kernel behind the Engine facade: node state, the window loop,
// and the per-thread NodeRunner that handles one node's events. Private to sim/.
#pragma once

#include <tbb/enumerable_thread_specific.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include "sim/detail/event_queue.hpp"
#include "sim/detail/event_record.hpp"
#include "sim/detail/fair_network.hpp"
#include "sim/detail/zeroed_array.hpp"
#include "sim/engine.hpp"

namespace dlsim::detail {

class EngineCore;

// Handles events for one node at a time; one per thread. Everything it
// produces goes to its own buffers, merged by the core after the window.
class NodeRunner {
 public:
  explicit NodeRunner(EngineCore& core);

  // Handles the events [begin, end) of a window that ends at window_end:
  // each node's events adjacent and in key order, plus the events each node
  // schedules for itself before window_end.
  void run_nodes(const EventRecord* begin, const EventRecord* end, SimTime window_end);

  // Context services.
  void send(Context& ctx, NodeId to, Message&& message);
  void set_timer(Context& ctx, SimTime delay, std::uint64_t tag);
  void set_timeout(Context& ctx, SimTime delay, std::uint64_t tag);
  void start_compute(Context& ctx, ComputeCost cost, ComputeWork work, std::uint64_t tag);
  std::uint64_t next_sequence(NodeId node);
  EngineCore& core() { return core_; }

  std::vector<EventRecord> output;      // events for the queue (parallel windows)
  std::vector<FlowRequest> flow_starts;  // sends under the fair model
  std::uint64_t events = 0;
  std::uint64_t lifecycle_events = 0;
  std::uint64_t fingerprint = 0;
  NodeCounters totals;  // this runner's traffic when per-node counters are off
  // Inline windows: emit straight into the queue (no output buffer to grow).
  bool push_directly = false;

 private:
  void run_node(Context& ctx, const EventRecord* begin, const EventRecord* end);
  void handle(Context& ctx, const EventRecord& event);
  void handle_other(Context& ctx, const EventRecord& event);  // the rare kinds of events
  void deliver(Context& ctx, const EventRecord& event);
  void deliver_body(Context& ctx, const EventRecord& event, NodeId source);  // a message with a body
  void emit(const EventRecord& event);
  void emit_local(const EventRecord& event);  // an event of this node inside the window
  void schedule_lifecycle(NodeId node, SimTime time, LifecycleChange change);
  NodeCounters& counters_of(NodeId node);

  EngineCore& core_;
  std::vector<EventRecord> local_;  // min-heap of this node's in-window events
  SimTime window_end_ = 0;
  NodeId current_node_ = 0;
  PurposeKeyCache purpose_keys_;  // Context::rng's, kept across events
};

enum class NodeStatus : std::uint8_t { up, down, crashed };

class EngineCore {
 public:
  explicit EngineCore(EngineConfig config);
  ~EngineCore();

  RunOutcome run_until(SimTime until);
  std::size_t pending_events() const;
  RunLimits limits;
  std::size_t memory_bytes() const;

  EngineConfig config;
  SimTime lookahead = 0;
  SimTime now = 0;
  EngineStats stats;
  std::atomic<bool> stop_requested{false};

  KeyLayout layout;  // how (priority, origin, sequence) pack into an event's order
  // RandomStream key parts of the engine's per-event purposes, computed once
  // (RandomStream::keyed).
  std::uint64_t jitter_key = 0;
  std::uint64_t loss_key = 0;
  std::uint64_t latency_key = 0;

  // Per-node state, indexed by node id; each entry is touched only by its
  // node's events. Flat zero-initialised arrays: what a run never writes
  // (timeouts, epochs, the status of nodes that never fail) stays unresident.
  // Behaviours: one default for every node, plus a per-node table only once
  // set_behaviour names a node (null entry: the default; &no_behaviour: none).
  NodeBehaviour* default_behaviour = nullptr;
  ZeroedArray<NodeBehaviour*> behaviours;
  static NodeBehaviour no_behaviour;
  NodeBehaviour* behaviour_of(NodeId node) const {
    NodeBehaviour* own = behaviours.empty() ? nullptr : behaviours[node];
    if (own == nullptr) return default_behaviour;
    return own == &no_behaviour ? nullptr : own;
  }
  ZeroedArray<std::uint64_t> next_sequence;
  ZeroedArray<std::uint64_t> timeout_sequence;  // Context::set_timeout's own counter
  ZeroedArray<NodeCounters> counters;           // empty when per-node counters are off
  ZeroedArray<NodeStatus> status;
  ZeroedArray<std::uint32_t> epoch;          // bumped when a node goes down: stale timers die
  ZeroedArray<SimTime> uplink_free;          // fifo: when each uplink is next idle
  ZeroedArray<SimTime> downlink_free;        // fifo: when each downlink is next idle
  std::vector<bool> churns;                  // which nodes churn (empty = none)
  ZeroedArray<SimTime> went_down;            // churn: when each node last went down
  NodeCounters totals;                       // per-node counters off: the sum so far

  std::int64_t uplink_bps(NodeId node) const;
  std::int64_t downlink_bps(NodeId node) const;
  // Every message's latency before jitter; inline for the common case of one
  // latency for every link.
  SimTime link_latency(NodeId from, NodeId to) const {
    return same_latency_everywhere ? config.network.latency.base : varying_link_latency(from, to);
  }
  SimTime varying_link_latency(NodeId from, NodeId to) const;
  bool same_latency_everywhere = false;  // a constant latency model and no hub
  bool unlimited_bandwidth = false;      // no uplink or downlink rates at all (uplink_bps, downlink_bps)
  SimTime compute_duration(NodeId node, const ComputeCost& cost, RandomStream& jitter) const;

  std::unique_ptr<tbb::task_arena> arena;  // null with one thread
  // The compute tasks enqueued in the arena: the engine waits for them when it
  // is destroyed, since an arena drops the enqueued tasks it has not run yet,
  // and each holds a reference to its job.
  tbb::task_group compute_tasks;

 private:
  void start_nodes();
  void run_starts(SimTime window_end);
  void process_window(EventBuffer& window, SimTime window_end, EventQueue::PoppedOrder order);
  void merge_runner_outputs();
  void merge_outputs(SimTime window_end);
  void push(const EventRecord& event);
  bool past_wall_deadline(std::size_t window_events);
  void release_payload(const EventRecord& event);

  EventQueue queue_;
  std::optional<FairNetwork> fair_;
  tbb::enumerable_thread_specific<NodeRunner> runners_;  // parallel windows
  bool runners_used_ = false;  // a parallel window ran since runners_ were last merged
  // Inline windows run on the thread that called run_until: a runner of its
  // own spares a thread-local look-up per window (windows of about six events
  // at 10^2 pending PHOLD events).
  NodeRunner inline_runner_;
  EventBuffer window_;
  std::vector<FlowRequest> flow_starts_;
  std::vector<EventRecord> deliveries_;
  // Events in the queue that are not lifecycle changes, plus the fair model's
  // flows: zero means only churn and crashes are left (RunOutcome::idle).
  std::size_t pending_activity_ = 0;
  // Work since the wall clock was last read (RunLimits::wall_deadline).
  std::uint32_t windows_since_clock_ = 0;
  std::size_t events_since_clock_ = 0;
  std::uint64_t engine_sequence_ = 0;
  double nanoseconds_per_event_ = 200.0;  // running estimate, only decides inline vs parallel
  bool started_ = false;
  bool starts_pending_ = false;  // the nodes' start events are still to run (run_starts)
  int target_bits_ = 1;          // every node id is below 2^target_bits_
  // The out-of-place radix sort's buffer, for windows of at most
  // kOutOfPlaceSortLimit events (engine.cpp): 2.6 MB at most.
  EventBuffer sort_scratch_;

  friend class NodeRunner;
};

}  // namespace dlsim::detail
