// The engine's event record (40 bytes) and its ordering key. Private to sim/.
#pragma once

#include <cstdint>

#include "sim/node.hpp"
#include "sim/time.hpp"

namespace dlsim::detail {

// Event kinds double as the priority field of the key: at equal times a node
// changes state first, then network arrivals, deliveries, completions, timers.
enum class EventKind : std::uint8_t {
  lifecycle = 0,     // value: LifecycleChange
  nic_arrival = 1,   // fifo: a message's head reaches the receiver's NIC
  delivery = 2,      // a message is handed to the receiver (or dropped)
  compute_done = 3,  // value: user tag; payload: ComputeJob
  timer = 4,         // value: user tag
};

enum class LifecycleChange : std::int64_t { start = 0, crash = 1, go_down = 2, come_up = 3 };

// order = priority (3 bits) | origin node (21 bits) | origin's sequence (40 bits)
inline constexpr int kOriginShift = 40;
inline constexpr int kPriorityShift = 61;
inline constexpr std::uint64_t kSequenceMask = (std::uint64_t{1} << kOriginShift) - 1;
inline constexpr NodeId kEngineOrigin = kMaxNodes;  // events the engine itself schedules

constexpr std::uint64_t make_order(EventKind kind, NodeId origin, std::uint64_t sequence) {
  return (std::uint64_t{static_cast<std::uint8_t>(kind)} << kPriorityShift) |
         (std::uint64_t{origin} << kOriginShift) | (sequence & kSequenceMask);
}
constexpr EventKind kind_of(std::uint64_t order) {
  return static_cast<EventKind>(order >> kPriorityShift);
}
constexpr NodeId origin_of(std::uint64_t order) {
  return static_cast<NodeId>((order >> kOriginShift) & kMaxNodes);
}
constexpr std::uint64_t sequence_of(std::uint64_t order) { return order & kSequenceMask; }

struct EventRecord {
  SimTime time;
  std::uint64_t order;
  NodeId target;
  std::uint32_t tag;    // message tag, or the node's epoch for timers and completions
  std::int64_t value;   // message bits, timer/compute tag, or LifecycleChange
  void* payload;        // message body holder, compute job, or null
};
static_assert(sizeof(EventRecord) == 40);

constexpr bool key_less(const EventRecord& a, const EventRecord& b) {
  return a.time < b.time || (a.time == b.time && a.order < b.order);
}

}  // namespace dlsim::detail
