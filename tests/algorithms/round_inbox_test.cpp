// The per-round inbox of the synchronous algorithms: messages for any later
// round are kept, in their round, whatever the lead and the arrival order.
#include <catch2/catch.hpp>

#include <map>

#include "algorithms/decentralized/round_inbox.hpp"
#include "sim/random.hpp"

using namespace dlsim;

namespace {

ReceivedMessage from(NodeId node, std::uint64_t round) {
  auto message = std::make_shared<VectorMessage>();
  message->round = round;
  return ReceivedMessage{node, 0.5, std::move(message)};
}

}  // namespace

TEST_CASE("a fixed W: messages of this round and the next stay apart") {
  RoundInbox inbox;
  inbox.add(1, from(2, 1));
  inbox.add(0, from(1, 0));
  inbox.add(0, from(2, 0));
  CHECK(inbox.count(0) == 2);
  CHECK(inbox.count(1) == 1);
  CHECK(inbox.current().size() == 2);
  inbox.advance();
  CHECK(inbox.round() == 1);
  REQUIRE(inbox.current().size() == 1);
  CHECK(inbox.current().front().from == 2);
  CHECK(inbox.current().front().message->round == 1);
}

TEST_CASE("a time-varying W: a neighbour many rounds ahead is kept for its round (the ring grows)") {
  // Messages of rounds 0..40 in a shuffled order, a varying number per round;
  // each round must then hold exactly its own, after any number of growths.
  std::map<std::uint64_t, std::size_t> expected;
  std::vector<std::pair<std::uint64_t, NodeId>> arrivals;
  for (std::uint64_t round = 0; round <= 40; ++round)
    for (NodeId node = 0; node < round % 4 + 1; ++node) {
      arrivals.emplace_back(round, node);
      ++expected[round];
    }
  RandomStream rng(7, 0, purpose_id("test.inbox"));
  rng.shuffle(std::span<std::pair<std::uint64_t, NodeId>>(arrivals));
  RoundInbox inbox;
  for (const auto& [round, node] : arrivals) inbox.add(round, from(node, round));
  for (std::uint64_t round = 0; round <= 40; ++round) {
    CHECK(inbox.round() == round);
    CHECK(inbox.count(round) == expected[round]);
    REQUIRE(inbox.current().size() == expected[round]);
    for (const ReceivedMessage& message : inbox.current()) CHECK(message.message->round == round);
    inbox.advance();
  }
  CHECK(inbox.count(41) == 0);
}

TEST_CASE("interleaved: leads of 0 to 5 rounds while the node advances") {
  RoundInbox inbox;
  for (std::uint64_t round = 0; round < 100; ++round) {
    // A neighbour (round % 6) rounds ahead sends now; the current round's message arrives last.
    const std::uint64_t ahead = round + round % 6;
    inbox.add(ahead, from(9, ahead));
    inbox.add(round, from(1, round));
    for (const ReceivedMessage& message : inbox.current()) CHECK(message.message->round == round);
    CHECK(inbox.current().size() == inbox.count(round));
    inbox.advance();
  }
}

TEST_CASE("a message of a past round, or absurdly far ahead, is a logic error") {
  RoundInbox inbox;
  inbox.advance();
  inbox.advance();
  CHECK_THROWS_AS(inbox.add(1, from(3, 1)), std::logic_error);
  CHECK_THROWS_AS(inbox.add(2 + RoundInbox::kMaxLead + 1, from(3, 0)), std::logic_error);
  CHECK_NOTHROW(inbox.add(2 + 64, from(3, 66)));
  CHECK(inbox.count(66) == 1);
}
