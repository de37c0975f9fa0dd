// dlsim's discrete-event engine: the one header a user of sim/ reads.
//
// Design note. Events are ordered by the key (time, priority, origin node,
// per-origin sequence number): integer time, then the event kind's priority
// (lifecycle < arrival < delivery < compute done < timer), then the node that
// created the event and that node's own counter. The key never involves a
// global insertion counter, a pointer or a thread, so the order is the same
// for any number of threads.
//
// Execution is conservative and windowed. The lookahead L is the smallest
// latency a message can have; within a window [t, t + W) with W <= L no event
// that one node creates can land at another node inside the window, so the
// nodes that have events in it run in parallel on TBB, each handling its own
// events in key order (its own timers and completions that fall inside the
// window included). New events go to per-thread buffers whose order does not
// matter: the queue sorts each window by key before it runs. Small windows run
// inline, since a TBB dispatch costs microseconds. With L = 0, a window holds
// a single instant, and an event sent to another node at that same instant
// runs in the next round of that instant (delta cycles).
//
// Compute tasks run on the same TBB arena as soon as they are submitted and
// are joined (or run inline) when their completion event is handled.
//
// Time arithmetic is checked: a duration or an instant beyond the int64
// nanosecond clock throws TimeOverflow (sim/time.hpp) out of run_until
// instead of wrapping around.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "sim/network.hpp"
#include "sim/node.hpp"
#include "sim/time.hpp"

namespace dlsim {

// Per-node traffic counters. Drops are counted at the node a message was
// addressed to: lost on the link, or arriving while that node was down.
struct NodeCounters {
  std::uint64_t messages_sent = 0;
  std::uint64_t bits_sent = 0;
  std::uint64_t messages_received = 0;
  std::uint64_t bits_received = 0;
  std::uint64_t messages_dropped = 0;
  std::uint64_t bits_dropped = 0;

  NodeCounters& operator+=(const NodeCounters& other);
};

// How long compute tasks take: max(flops / flop rate, bytes / memory rate),
// divided by the node's speed factor, times a per-task lognormal jitter.
struct ComputeConfig {
  double flops_per_second = 1e10;
  double bytes_per_second = 1e10;
  std::vector<double> speed_factor;  // per node, > 0; empty = all 1 (0.2 = five times slower)
  double jitter_sigma = 0.0;         // sigma of log(jitter); 0 = no jitter (median 1)
};

// Crashes and churn. A node that is down handles no events: messages to it are
// dropped and counted, its timers and compute completions are discarded.
struct FaultConfig {
  std::vector<std::pair<NodeId, SimTime>> crashes;  // node crashes for good at that time
  // Churn: each listed node alternates up and down periods drawn from
  // exponentials with these means; on rejoining, on_start runs again.
  SimTime churn_mean_up = 0;    // 0 = no churn
  SimTime churn_mean_down = 0;
  std::vector<NodeId> churn_nodes;  // empty = every node
};

// A task's duration on `node` in seconds, before jitter (so its median):
// max(flops / flop rate, bytes / memory rate) / the node's speed factor.
double compute_seconds(const ComputeConfig& compute, NodeId node, const ComputeCost& cost);

struct EngineConfig {
  std::uint32_t nodes = 0;
  std::uint64_t seed = 1;
  int threads = 1;  // TBB worker count for windows and compute tasks
  // Dispatch every window with two or more nodes to TBB, however small (for
  // tests of the parallel path); normally small windows run inline.
  bool always_parallel = false;
  // Per-node traffic counters (Engine::counters): 48 bytes a node. Off, the
  // engine keeps only the totals (Engine::total_counters), for runs at
  // millions of nodes that report no per-node traffic.
  bool per_node_counters = true;
  NetworkConfig network;
  ComputeConfig compute;
  FaultConfig faults;
};

struct EngineStats {
  std::uint64_t events = 0;            // events handled (including dropped deliveries)
  std::uint64_t lifecycle_events = 0;  // of which node starts, crashes and churn changes
  std::uint64_t windows = 0;
  std::uint64_t parallel_windows = 0;  // windows dispatched to TBB (host-dependent)
  std::uint64_t fingerprint = 0;       // hash over (time, kind, source, target, bits) of all events
  SimTime last_event_time = 0;         // the latest event taken from the queue so far
};

enum class RunOutcome {
  reached_time,    // every event before `until` was handled
  queue_empty,     // no event is left at all
  stop_requested,  // a node called Context::request_stop
  idle,            // only churn and crash events are pending (RunLimits::return_when_idle)
  wall_deadline,   // the wall-clock deadline passed (RunLimits::wall_deadline)
};

// Early returns from run_until, for run loops that must end whatever the
// simulation does. The defaults change nothing.
struct RunLimits {
  // run_until returns wall_deadline once this has passed. The clock is read
  // every 64 windows or 16384 events, whichever comes first, so the return
  // follows within about that much work (one window is never interrupted).
  std::chrono::steady_clock::time_point wall_deadline = std::chrono::steady_clock::time_point::max();
  // run_until returns idle after a window that leaves nothing pending but
  // lifecycle events: no message in flight, no compute task, no timer. Nodes
  // then act again only if one rejoins after a churn outage and its
  // on_start starts something; whether it does is the behaviour's business.
  // The next call handles at least one more window before it can return idle again.
  bool return_when_idle = false;
};

namespace detail {
class EngineCore;
}

class Engine {
 public:
  // Validates the configuration (std::invalid_argument on a bad one).
  explicit Engine(EngineConfig config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Non-owning; one behaviour may serve many nodes. Nodes without one ignore events.
  void set_behaviour(NodeId node, NodeBehaviour* behaviour);
  void set_behaviour_all(NodeBehaviour* behaviour);

  // Handles every event with time < until, then sets now() = until; returns
  // early when the queue empties, a node requested a stop, or a limit of
  // set_limits applies. The first call starts the nodes (on_start at time 0).
  // Calling it again continues. TimeOverflow when an event would fall beyond
  // the clock's range.
  RunOutcome run_until(SimTime until);
  void set_limits(const RunLimits& limits);

  SimTime now() const;
  SimTime lookahead() const;
  std::size_t pending_events() const;
  // Bytes the pending-event store holds (for memory-per-event reports).
  std::size_t queue_memory_bytes() const;
  const EngineStats& stats() const;
  // std::logic_error when per-node counters are off.
  const NodeCounters& counters(NodeId node) const;
  NodeCounters total_counters() const;
  bool is_up(NodeId node) const;
  // True when `node` churns and has not crashed: it will (again) go down and
  // come back, and on_start will run with ctx.rejoining().
  bool will_rejoin(NodeId node) const;
  std::uint32_t node_count() const;
  const EngineConfig& config() const;

 private:
  std::unique_ptr<detail::EngineCore> core_;
};

}  // namespace dlsim
