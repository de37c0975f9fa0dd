// The messages a synchronous node holds for its current round and for any
// later one.
//
// With a fixed W a neighbour is at most one round ahead: it cannot finish
// round t + 1 without our round-(t + 1) message. With a time-varying W (the
// one-peer exponential graph) a node's neighbour in round t may be many rounds
// ahead, since it did not need this node in the rounds between. So the inbox
// keeps one list per pending round, current round first, in a ring that grows
// to the largest lead seen; a round's list is reused once the round is done.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "algorithms/vector_message.hpp"
#include "sim/node.hpp"

namespace dlsim {

// A round-t message from a neighbour, with w_ij of round t.
struct ReceivedMessage {
  NodeId from;
  double weight;
  std::shared_ptr<const VectorMessage> message;
};

class RoundInbox {
 public:
  // A lead beyond this many rounds is a bug, not a schedule (it would only allocate).
  static constexpr std::uint64_t kMaxLead = std::uint64_t{1} << 20;

  // The round whose messages current() holds.
  std::uint64_t round() const { return round_; }
  // Keeps a message of `round` (round() <= round <= round() + kMaxLead;
  // std::logic_error otherwise).
  void add(std::uint64_t round, ReceivedMessage message);
  // The current round's messages, in arrival order.
  std::vector<ReceivedMessage>& current();
  const std::vector<ReceivedMessage>& current() const;
  // How many messages of `round` (>= round()) have arrived.
  std::size_t count(std::uint64_t round) const;
  // Drops the current round's messages and moves to the next round.
  void advance();

 private:
  std::vector<ReceivedMessage>& slot(std::uint64_t round);
  void grow(std::size_t slots);

  std::uint64_t round_ = 0;
  // Round r >= round_ lives in slots_[r % slots_.size()]; two slots cover a fixed W.
  std::vector<std::vector<ReceivedMessage>> slots_ = std::vector<std::vector<ReceivedMessage>>(2);
};

}  // namespace dlsim
