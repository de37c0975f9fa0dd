// What node code sees: messages, the per-event Context, and the NodeBehaviour
// hooks. A node is a logical process: the engine calls its hooks one event at
// a time, in the order of the event key, and a node changes only its own
// state; it reaches other nodes only through Context::send.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "sim/compute_work.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace dlsim {

using NodeId = std::uint32_t;

// Largest number of nodes one engine can hold: node ids are 32 bits, and the
// all-ones id is the engine's own (sim/detail/event_record.hpp). Memory, not
// the id, is the practical limit (about 100 to 300 bytes per node in the engine
// and a lean behaviour; see the README's Performance section).
inline constexpr std::uint32_t kMaxNodes = 4'294'967'294u;

// Base class of message payloads. Payloads are immutable once sent and shared
// by all recipients (a gossip step sends one encoded vector to every neighbour).
struct MessageBody {
  virtual ~MessageBody() = default;
};

// A message on the wire. `size_bits` is what its real encoding needs and is the
// only thing the network model looks at; `tag` says what kind of message it is
// (behaviour-defined); `body` carries the content, or nothing. A message whose
// content is one scalar (a gossip value, a push-sum weight) may carry it in
// `word` instead: 64 bits that travel inside the event itself, with no
// allocation. A message has a body or a word, not both.
struct Message {
  std::uint32_t tag = 0;
  std::int64_t size_bits = 0;
  std::shared_ptr<const MessageBody> body;
  std::uint64_t word = 0;

  // The payload as its concrete type; the caller knows it from the tag.
  template <typename T>
  const T& body_as() const {
    return static_cast<const T&>(*body);
  }
};

// The cost of a compute task, from which the node's compute model derives its
// simulated duration (never from wall-clock time).
struct ComputeCost {
  double flops = 0;  // floating-point operations
  double bytes = 0;  // bytes of memory touched
};

namespace detail {
class NodeRunner;
class EngineCore;
// The key part of the purpose Context::rng last drew for, kept by each
// runner across events: a behaviour mostly draws for one purpose event
// after event, and then a stream costs one mix fewer.
struct PurposeKeyCache {
  std::uint64_t seed_key;  // RandomStream::seed_key(seed)
  std::uint64_t purpose;
  std::uint64_t key;       // RandomStream::purpose_key(seed_key, purpose)
};
}  // namespace detail

// The handle a hook gets for the node it runs on. Valid only during the hook.
class Context {
 public:
  NodeId self() const { return self_; }
  SimTime now() const { return now_; }
  std::uint32_t node_count() const { return node_count_; }
  std::uint64_t seed() const { return seed_; }
  // True in on_start when the node rejoins after a churn outage.
  bool rejoining() const { return rejoining_; }
  // When rejoining: the time the outage began (the node went down). Lets a
  // node tell the simulator's bookkeeping when its work was lost.
  SimTime outage_began() const { return outage_began_; }

  // Sends `message` to node `to` through the network model. Delivery (or a
  // counted drop) happens no earlier than now() + the link latency.
  void send(NodeId to, Message message);
  // Calls on_timer(tag) after `delay` (>= 0) of simulated time.
  void set_timer(SimTime delay, std::uint64_t tag);
  // Like set_timer, but the event's key comes from a counter of the node's
  // own timeouts, not from the sequence that keys its other events and their
  // random streams (message jitter and loss, compute jitter, rng()): arming a
  // timeout that turns out not to matter leaves every other event, and so the
  // run, as it would be without it (only the event count differs).
  void set_timeout(SimTime delay, std::uint64_t tag);
  // Starts a compute task: `work` may run at once on the pool; on_compute_done(tag)
  // fires after the duration the node's compute model gives for `cost`, and
  // `work` has finished by then.
  void start_compute(ComputeCost cost, ComputeWork work, std::uint64_t tag);
  // A fresh random stream for this event and purpose. Each call returns a new,
  // independent stream keyed by (seed, node, purpose, this event, call number),
  // so results never depend on thread scheduling. Inline: it runs for most
  // events, and the stream then stays in registers.
  RandomStream rng(std::uint64_t purpose) {
    if (purpose != purpose_keys_.purpose) {
      purpose_keys_.purpose = purpose;
      purpose_keys_.key = RandomStream::purpose_key(purpose_keys_.seed_key, purpose);
    }
    // The event's order is unique among this node's events; the call count
    // makes each call's stream distinct.
    return RandomStream::keyed(purpose_keys_.key, self_, mix64(event_order_, rng_calls_++));
  }
  // Asks the engine to stop after the current window.
  void request_stop();

 private:
  friend class detail::NodeRunner;
  // node_count and seed are copied in, so that a hook reads them without a
  // call into the engine.
  Context(detail::NodeRunner& runner, NodeId self, std::uint32_t node_count, std::uint64_t seed,
          detail::PurposeKeyCache& purpose_keys)
      : runner_(runner), self_(self), node_count_(node_count), seed_(seed), purpose_keys_(purpose_keys) {}

  detail::NodeRunner& runner_;
  NodeId self_;
  std::uint32_t node_count_;
  std::uint64_t seed_;
  detail::PurposeKeyCache& purpose_keys_;  // the runner's
  SimTime now_ = 0;
  std::uint64_t event_order_ = 0;
  std::uint32_t rng_calls_ = 0;
  bool rejoining_ = false;
  SimTime outage_began_ = 0;
};

// A node's behaviour: the four hooks and nothing else. One object may serve
// many nodes (it gets the node id from the Context); it must then keep
// per-node state indexed by ctx.self() and may be called concurrently for
// different nodes, never for the same node.
class NodeBehaviour {
 public:
  virtual ~NodeBehaviour() = default;
  // At time 0 (or the node's start time), and again when it rejoins after churn.
  virtual void on_start(Context&) {}
  virtual void on_message(Context&, NodeId /*from*/, const Message&) {}
  virtual void on_timer(Context&, std::uint64_t /*tag*/) {}
  virtual void on_compute_done(Context&, std::uint64_t /*tag*/) {}
};

}  // namespace dlsim
