// Node ids beyond the old 21-bit key field, inline message words, and the
// engine's lean per-node state (issue 15).
#include <catch2/catch.hpp>

#include <bit>
#include <utility>
#include <vector>

#include "sim/detail/event_record.hpp"
#include "sim/engine.hpp"

using namespace dlsim;

TEST_CASE("the key layout keeps the old 21-bit origin field up to 2,097,150 nodes and widens beyond") {
  using detail::EventKind;
  using detail::KeyLayout;
  const KeyLayout small = KeyLayout::for_nodes(1000);
  CHECK(small.origin_shift == 40);
  CHECK(small.engine_origin() == (1u << 21) - 1);
  CHECK(KeyLayout::for_nodes(2'097'150).origin_shift == 40);
  const KeyLayout wide = KeyLayout::for_nodes(kMaxNodes);
  CHECK(wide.origin_shift == 29);
  CHECK(wide.engine_origin() == 4'294'967'295u);
  const NodeId origin = kMaxNodes - 1;
  const std::uint64_t order = wide.make_order(EventKind::delivery, origin, 123'456'789);
  CHECK(wide.origin_of(order) == origin);
  CHECK(wide.sequence_of(order) == 123'456'789);
  CHECK(detail::kind_of(order) == EventKind::delivery);
  // Priority first, then origin, then sequence.
  CHECK(wide.make_order(EventKind::delivery, 5, wide.sequence_mask) < wide.make_order(EventKind::delivery, 6, 0));
  CHECK(wide.make_order(EventKind::nic_arrival, origin, 0) < wide.make_order(EventKind::delivery, 0, 0));
}

TEST_CASE("the engine refuses more nodes than 32-bit ids allow, naming the limit") {
  EngineConfig config;
  config.nodes = kMaxNodes + 1;
  CHECK_THROWS_WITH(Engine(config), Catch::Contains("[1, 4294967294] (32-bit node ids), got 4294967295"));
}

namespace {

// Nodes above 2^21 send words to one node at the same instant; it records
// (from, word) in the order it gets them, which must be by origin id.
struct FanIn : NodeBehaviour {
  NodeId sink = 0;
  std::vector<std::pair<NodeId, std::uint64_t>> seen;
  void on_start(Context& ctx) override {
    ctx.send(sink, Message{1, 64, nullptr, std::uint64_t{ctx.self()} * 3 + 1});
    ctx.send(sink, Message{2, 64, nullptr, 0});  // a zero word: no payload at all
  }
  void on_message(Context&, NodeId from, const Message& message) override { seen.emplace_back(from, message.word); }
};

}  // namespace

TEST_CASE("beyond 2,097,150 nodes every origin and word arrives exactly, in key order, for 1 and 2 threads") {
  const std::uint32_t nodes = 2'097'152 + 1000;  // 23-bit ids
  const std::vector<NodeId> senders = {3, 2'097'150, 2'097'151, 2'097'152, nodes - 2};
  std::uint64_t reference = 0;
  for (int threads : {1, 2}) {
    EngineConfig config;
    config.nodes = nodes;
    config.threads = threads;
    config.always_parallel = true;
    config.network.latency.base = kMillisecond;
    Engine engine(config);
    FanIn fan;
    fan.sink = nodes - 1;
    for (NodeId sender : senders) engine.set_behaviour(sender, &fan);
    engine.set_behaviour(fan.sink, &fan);
    engine.run_until(kSecond);
    std::vector<std::pair<NodeId, std::uint64_t>> expected;
    for (NodeId sender : senders) {
      expected.emplace_back(sender, std::uint64_t{sender} * 3 + 1);
      expected.emplace_back(sender, 0);
    }
    expected.emplace_back(fan.sink, std::uint64_t{fan.sink} * 3 + 1);
    expected.emplace_back(fan.sink, 0);
    CHECK(fan.seen == expected);
    CHECK(engine.counters(fan.sink).messages_received == expected.size());
    CHECK(engine.counters(senders.back()).messages_sent == 2);
    CHECK(engine.stats().lifecycle_events == nodes);
    CHECK(engine.stats().events == nodes + expected.size());
    if (threads == 1) reference = engine.stats().fingerprint;
    CHECK(engine.stats().fingerprint == reference);
  }
}

namespace {

struct WordRelay : NodeBehaviour {
  std::vector<double> got = std::vector<double>(3, 0.0);
  void on_start(Context& ctx) override {
    if (ctx.self() == 0) ctx.send(1, Message{0, 64, nullptr, std::bit_cast<std::uint64_t>(-0.1)});
  }
  void on_message(Context& ctx, NodeId, const Message& message) override {
    got[ctx.self()] = std::bit_cast<double>(message.word);
    if (ctx.self() == 1) ctx.send(2, Message{0, 64, nullptr, std::bit_cast<std::uint64_t>(got[1] * 2)});
  }
};

}  // namespace

TEST_CASE("a word travels exactly under both network models and keeps the message's size") {
  for (auto model : {NetworkModel::fifo, NetworkModel::fair}) {
    EngineConfig config;
    config.nodes = 3;
    config.network.model = model;
    config.network.latency.base = kMillisecond;
    config.network.uplink_bps.assign(3, 64'000);  // 64 bits take 1 ms
    config.network.downlink_bps.assign(3, 64'000);
    Engine engine(config);
    WordRelay relay;
    engine.set_behaviour_all(&relay);
    engine.run_until(kSecond);
    CHECK(relay.got[1] == -0.1);
    CHECK(relay.got[2] == -0.2);
    CHECK(engine.total_counters().bits_received == 128);
    CHECK(engine.stats().last_event_time == 4 * kMillisecond);  // two hops of latency + serialization
  }
}

TEST_CASE("a message with both a body and a word is a behaviour bug") {
  struct Both : NodeBehaviour {
    void on_start(Context& ctx) override {
      ctx.send(1, Message{0, 8, std::make_shared<MessageBody>(), 1});
    }
  };
  EngineConfig config;
  config.nodes = 2;
  config.network.latency.base = kMillisecond;
  Engine engine(config);
  Both both;
  engine.set_behaviour(0, &both);
  CHECK_THROWS_WITH(engine.run_until(kSecond), Catch::Contains("both a body and a word"));
}

TEST_CASE("without per-node counters the totals are the same and counters(node) says why it cannot answer") {
  NodeCounters totals[2];
  std::uint64_t fingerprints[2] = {0, 0};
  for (bool per_node : {true, false}) {
    EngineConfig config;
    config.nodes = 50;
    config.per_node_counters = per_node;
    config.network.latency.base = kMillisecond;
    config.network.loss_probability = 0.3;
    Engine engine(config);
    FanIn fan;
    fan.sink = 7;
    engine.set_behaviour_all(&fan);
    engine.run_until(kSecond);
    totals[per_node] = engine.total_counters();
    fingerprints[per_node] = engine.stats().fingerprint;
    if (per_node) CHECK(engine.counters(7).messages_received + engine.counters(7).messages_dropped == 100);
    else CHECK_THROWS_WITH(engine.counters(7), Catch::Contains("per-node counters are off"));
  }
  CHECK(totals[0].messages_received == totals[1].messages_received);
  CHECK(totals[0].messages_dropped == totals[1].messages_dropped);
  CHECK(totals[0].bits_sent == totals[1].bits_sent);
  CHECK(totals[0].messages_dropped > 0);
  CHECK(fingerprints[0] == fingerprints[1]);
}

TEST_CASE("a node given no behaviour after set_behaviour_all ignores its events") {
  FanIn fan;
  fan.sink = 0;
  EngineConfig config;
  config.nodes = 4;
  config.network.latency.base = kMillisecond;
  Engine engine(config);
  engine.set_behaviour_all(&fan);
  engine.set_behaviour(2, nullptr);
  engine.run_until(kSecond);
  // Nodes 0, 1 and 3 send two messages each; node 2 does nothing.
  CHECK(fan.seen.size() == 6);
  CHECK(engine.counters(2).messages_sent == 0);
}
