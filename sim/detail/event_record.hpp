// The engine's event record (40 bytes) and its ordering key. Private to sim/.
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

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

// order = priority (3 bits) | origin node (origin bits) | origin's sequence (the rest).
// The origin field is as wide as the engine's node count needs, but never
// narrower than 21 bits: up to 2,097,150 nodes the layout (and so every key,
// every random stream keyed by an event and every result) is what it always
// was; 4,294,967,295 nodes (32-bit ids) leave 29 bits, 5.4 * 10^8 events, to
// each node's sequence. The all-ones origin is the engine's own.
inline constexpr int kPriorityShift = 61;

struct KeyLayout {
  int origin_shift = 40;
  std::uint64_t sequence_mask = (std::uint64_t{1} << 40) - 1;
  std::uint64_t origin_mask = (std::uint64_t{1} << 21) - 1;

  static constexpr KeyLayout for_nodes(std::uint64_t nodes) {
    int bits = 21;
    while (bits < 32 && (nodes >> bits) != 0) ++bits;
    KeyLayout layout;
    layout.origin_shift = kPriorityShift - bits;
    layout.sequence_mask = (std::uint64_t{1} << layout.origin_shift) - 1;
    layout.origin_mask = (std::uint64_t{1} << bits) - 1;
    return layout;
  }
  // Events the engine itself schedules (starts, crashes, timeouts) come from here.
  constexpr NodeId engine_origin() const { return static_cast<NodeId>(origin_mask); }
  constexpr std::uint64_t make_order(EventKind kind, NodeId origin, std::uint64_t sequence) const {
    return (std::uint64_t{static_cast<std::uint8_t>(kind)} << kPriorityShift) |
           (std::uint64_t{origin} << origin_shift) | (sequence & sequence_mask);
  }
  constexpr NodeId origin_of(std::uint64_t order) const {
    return static_cast<NodeId>((order >> origin_shift) & origin_mask);
  }
  constexpr std::uint64_t sequence_of(std::uint64_t order) const { return order & sequence_mask; }
};

constexpr EventKind kind_of(std::uint64_t order) {
  return static_cast<EventKind>(order >> kPriorityShift);
}

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

// An allocator whose value-less construct leaves a trivial T uninitialised
// (default-initialised) instead of zeroing it.
template <typename T>
struct UninitialisedAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = UninitialisedAllocator<U>;
  };
  UninitialisedAllocator() = default;
  template <typename U>
  UninitialisedAllocator(const UninitialisedAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* place) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(place)) U;
  }
  template <typename U, typename... Args>
  void construct(U* place, Args&&... args) {
    std::construct_at(place, std::forward<Args>(args)...);
  }
};

// The buffers a window's records pass through (the window, the sort's
// scratch): resized for every window and always written before they are
// read, so resizing them does not zero the new records (that was 13 and 20
// instructions per PHOLD event at 10^4 and 10^6 pending).
using EventBuffer = std::vector<EventRecord, UninitialisedAllocator<EventRecord>>;

// The order in which a window runs: grouped by node, each node's events by key.
constexpr bool target_then_key_less(const EventRecord& a, const EventRecord& b) {
  if (a.target != b.target) return a.target < b.target;
  return key_less(a, b);
}

}  // namespace dlsim::detail
