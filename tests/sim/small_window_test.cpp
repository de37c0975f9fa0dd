// The small-window path (issue 15, PHOLD at 10^2 pending events): buckets of
// at most EventQueue::kSmallBucketLimit events leave the queue ready to run
// (each target's events adjacent and in key order), and the engine runs them
// in the same order as any other window: each node its own events in key order.
#include <catch2/catch.hpp>

#include <algorithm>
#include <tuple>
#include <vector>

#include "sim/detail/event_queue.hpp"
#include "sim/engine.hpp"

using namespace dlsim;

namespace {

// `count` records for targets 0..4 with colliding times and keys in a
// scrambled insertion order, all in the bucket [0, 64).
std::vector<detail::EventRecord> scrambled_records(std::size_t count) {
  const detail::KeyLayout layout = detail::KeyLayout::for_nodes(100);
  std::vector<detail::EventRecord> records;
  RandomStream rng(7, 0, purpose_id("test.small_window.records"), count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto kind = static_cast<detail::EventKind>(rng.uniform_int(5));
    records.push_back(detail::EventRecord{static_cast<SimTime>(rng.uniform_int(4)),
                                          layout.make_order(kind, static_cast<NodeId>(rng.uniform_int(6)), i),
                                          static_cast<NodeId>(rng.uniform_int(5)), 0,
                                          static_cast<std::int64_t>(i), nullptr});
  }
  return records;
}

}  // namespace

namespace {

std::vector<std::int64_t> values_of(const std::vector<detail::EventRecord>& events) {
  std::vector<std::int64_t> values;
  for (const detail::EventRecord& event : events) values.push_back(event.value);
  return values;
}

std::vector<detail::EventRecord> pop_all(const std::vector<detail::EventRecord>& records,
                                         detail::EventQueue::PoppedOrder& order) {
  detail::EventQueue queue(64);
  for (const detail::EventRecord& record : records) queue.push(record);
  detail::EventBuffer popped;
  order = queue.pop_bucket(0, 64, popped, 3);
  CHECK(queue.empty());
  return {popped.begin(), popped.end()};
}

// Each target's events adjacent and in key order.
bool ready_to_run(const std::vector<detail::EventRecord>& events) {
  std::vector<NodeId> finished;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (i > 0 && events[i].target == events[i - 1].target) {
      if (!detail::key_less(events[i - 1], events[i])) return false;
      continue;
    }
    if (std::find(finished.begin(), finished.end(), events[i].target) != finished.end()) return false;
    finished.push_back(events[i].target);
  }
  return true;
}

}  // namespace

TEST_CASE("a bucket of at most 16 events is popped ready to run, each node's events together in key order") {
  for (std::size_t count : {std::size_t{1}, std::size_t{2}, std::size_t{9}, detail::EventQueue::kSmallBucketLimit,
                            detail::EventQueue::kSmallBucketLimit + 1}) {
    INFO("records " << count);
    const std::vector<detail::EventRecord> records = scrambled_records(count);
    detail::EventQueue::PoppedOrder order{};
    const std::vector<detail::EventRecord> popped = pop_all(records, order);
    std::vector<detail::EventRecord> expected = records;
    std::sort(expected.begin(), expected.end(), detail::target_then_key_less);
    if (count <= detail::EventQueue::kSmallBucketLimit) {
      CHECK(order == detail::EventQueue::PoppedOrder::each_node_in_key_order);
      CHECK(ready_to_run(popped));
      std::vector<detail::EventRecord> resorted = popped;
      std::sort(resorted.begin(), resorted.end(), detail::target_then_key_less);
      CHECK(values_of(resorted) == values_of(expected));  // the same events
      // Five targets: from six events on one repeats, and the bucket comes sorted.
      if (count > 5) CHECK(values_of(popped) == values_of(expected));
    } else {
      // The general path leaves sorting to the engine: the same events, in insertion order.
      CHECK(order == detail::EventQueue::PoppedOrder::as_pushed);
      CHECK(values_of(popped) == values_of(records));
    }
  }
}

TEST_CASE("a small bucket whose events all have different targets is popped as pushed") {
  // One event per target, pushed in descending target order: no node has two
  // events, so any order runs the same; the queue does not sort.
  const detail::KeyLayout layout = detail::KeyLayout::for_nodes(100);
  std::vector<detail::EventRecord> records;
  for (std::uint32_t i = 0; i < 10; ++i)
    records.push_back(detail::EventRecord{static_cast<SimTime>(i % 3),
                                          layout.make_order(detail::EventKind::delivery, i, 0), 9 - i, 0, i, nullptr});
  detail::EventQueue::PoppedOrder order{};
  const std::vector<detail::EventRecord> popped = pop_all(records, order);
  CHECK(order == detail::EventQueue::PoppedOrder::each_node_in_key_order);
  CHECK(values_of(popped) == values_of(records));
  // One repeated target: now sorted by (target, key).
  records.push_back(detail::EventRecord{0, layout.make_order(detail::EventKind::timer, 50, 0), 4, 0, 10, nullptr});
  std::vector<detail::EventRecord> expected = records;
  std::sort(expected.begin(), expected.end(), detail::target_then_key_less);
  CHECK(values_of(pop_all(records, order)) == values_of(expected));
}

TEST_CASE("windows of a few events each give every node its messages in key order, for 1 and 2 threads") {
  // 12 nodes, one message each in flight, every message 1 ms after the one it
  // answers: each window is one instant holding 12 events (the sorted pop),
  // several for the same node. A node must see them by sender, then by the
  // sender's own send order (its counter travels in the tag).
  constexpr std::uint32_t n = 12;
  struct Relay : NodeBehaviour {
    std::vector<std::vector<std::tuple<SimTime, NodeId, std::uint32_t>>> seen =
        std::vector<std::vector<std::tuple<SimTime, NodeId, std::uint32_t>>>(n);
    std::vector<std::uint32_t> sent = std::vector<std::uint32_t>(n, 0);
    void forward(Context& ctx) {
      const auto to = static_cast<NodeId>(ctx.rng(purpose_id("test.relay")).uniform_int(ctx.node_count()));
      ctx.send(to, Message{sent[ctx.self()]++, 0, nullptr});
    }
    void on_start(Context& ctx) override { forward(ctx); }
    void on_message(Context& ctx, NodeId from, const Message& message) override {
      seen[ctx.self()].emplace_back(ctx.now(), from, message.tag);
      forward(ctx);
    }
  };
  std::vector<std::vector<std::tuple<SimTime, NodeId, std::uint32_t>>> reference;
  for (int threads : {1, 2}) {
    EngineConfig config;
    config.nodes = n;
    config.threads = threads;
    config.always_parallel = threads > 1;
    config.network.latency.base = kMillisecond;
    Engine engine(config);
    Relay relay;
    engine.set_behaviour_all(&relay);
    engine.run_until(50 * kMillisecond);
    std::size_t messages = 0, ties = 0;
    for (NodeId node = 0; node < n; ++node) {
      const auto& history = relay.seen[node];
      messages += history.size();
      CHECK(std::is_sorted(history.begin(), history.end()));
      for (std::size_t i = 1; i < history.size(); ++i) ties += std::get<0>(history[i]) == std::get<0>(history[i - 1]);
    }
    CHECK(messages == 49 * n);  // arrivals at 1, 2, ..., 49 ms
    CHECK(ties > 50);           // many nodes got several messages in one window
    if (threads == 1) reference = relay.seen;
    CHECK(relay.seen == reference);
  }
}

TEST_CASE("a small bucket whose targets differ but share their low 8 bits is popped sorted, ready to run") {
  // 1, 257 and 513 differ only above bit 8: the queue's set of low bits sees
  // them as repeats and sorts (a valid order), never taking them as one node.
  const detail::KeyLayout layout = detail::KeyLayout::for_nodes(1024);
  const std::vector<NodeId> targets = {513, 1, 257, 2, 1, 513};
  std::vector<detail::EventRecord> records;
  for (std::uint32_t i = 0; i < targets.size(); ++i)
    records.push_back(detail::EventRecord{static_cast<SimTime>(5 - i % 3),
                                          layout.make_order(detail::EventKind::delivery, i, 0), targets[i], 0, i,
                                          nullptr});
  detail::EventQueue queue(64);
  for (const detail::EventRecord& record : records) queue.push(record);
  detail::EventBuffer popped;
  CHECK(queue.pop_bucket(0, 64, popped, 10) == detail::EventQueue::PoppedOrder::each_node_in_key_order);
  std::vector<detail::EventRecord> expected = records;
  std::sort(expected.begin(), expected.end(), detail::target_then_key_less);
  CHECK(values_of({popped.begin(), popped.end()}) == values_of(expected));
  // Without the repeated targets 1 and 513 the low bits still collide (1, 257, 513): sorted as well.
  records.pop_back();
  records.erase(records.begin() + 4);
  detail::EventQueue again(64);
  for (const detail::EventRecord& record : records) again.push(record);
  popped.clear();
  again.pop_bucket(0, 64, popped, 10);
  expected = records;
  std::sort(expected.begin(), expected.end(), detail::target_then_key_less);
  CHECK(values_of({popped.begin(), popped.end()}) == values_of(expected));
  CHECK(ready_to_run({popped.begin(), popped.end()}));
}
