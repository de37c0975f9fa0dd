// Event order, determinism across thread counts, and the node lifecycle.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <vector>

#include "sim/engine.hpp"

using namespace dlsim;

namespace {

// Random chatter: every message triggers a random mix of sends, timers and
// compute tasks. Per-node state only, so it is a legal behaviour for any
// thread count. Each node's history is folded into a per-node digest.
struct Chatter : NodeBehaviour {
  explicit Chatter(std::uint32_t nodes) : digest(nodes, 0), value(nodes, 1.0), results(nodes), tasks(nodes, 0) {}
  std::vector<std::uint64_t> digest;
  std::vector<double> value;
  // Each task writes its own slot, reserved until its completion.
  std::vector<std::map<std::uint64_t, std::shared_ptr<double>>> results;
  std::vector<std::uint64_t> tasks;
  // Also arm a timeout (Context::set_timeout) at every act, which does nothing when it fires.
  bool idle_timeouts = false;
  static constexpr std::uint64_t kIdleTimeout = 4242;

  void record(Context& ctx, std::uint64_t what) {
    digest[ctx.self()] = mix64(digest[ctx.self()] ^ what, static_cast<std::uint64_t>(ctx.now()));
  }
  void act(Context& ctx) {
    if (idle_timeouts) ctx.set_timeout(kMillisecond, kIdleTimeout);
    RandomStream rng = ctx.rng(purpose_id("test.chatter"));
    const int sends = static_cast<int>(rng.uniform_int(3));
    for (int i = 0; i < sends; ++i) {
      const NodeId to = static_cast<NodeId>(rng.uniform_int(ctx.node_count()));
      ctx.send(to, Message{static_cast<std::uint32_t>(rng.uniform_int(5)),
                           static_cast<std::int64_t>(rng.uniform_int(100'000)), nullptr});
    }
    if (rng.bernoulli(0.3)) ctx.set_timer(static_cast<SimTime>(rng.uniform_int(3 * kMillisecond)), rng.next_u64() % 100);  // one-shot
    if (rng.bernoulli(0.2)) {
      const double snapshot = value[ctx.self()];
      const std::uint64_t task = tasks[ctx.self()]++;
      auto out = std::make_shared<double>(0.0);
      results[ctx.self()][task] = out;
      ctx.start_compute(ComputeCost{rng.uniform(0, 1e7), 0}, [snapshot, out] { *out = snapshot * 1.5 + 1; }, task);
    }
  }
  // Each node acts every 5 ms until 200 ms; a message is answered with probability 0.2.
  void on_start(Context& ctx) override {
    record(ctx, 1);
    ctx.set_timer(5 * kMillisecond, 1000);
  }
  void on_message(Context& ctx, NodeId from, const Message& message) override {
    record(ctx, (std::uint64_t{from} << 32) ^ message.tag ^ static_cast<std::uint64_t>(message.size_bits));
    value[ctx.self()] += message.tag;
    if (ctx.rng(purpose_id("test.reply")).bernoulli(0.2)) ctx.send(from, Message{9, 1000, nullptr});
  }
  void on_timer(Context& ctx, std::uint64_t tag) override {
    if (tag == kIdleTimeout) return;
    record(ctx, 7 ^ tag);
    if (tag == 1000 && ctx.now() < 200 * kMillisecond) {
      act(ctx);
      ctx.set_timer(5 * kMillisecond, 1000);
    }
  }
  void on_compute_done(Context& ctx, std::uint64_t tag) override {
    auto slot = results[ctx.self()].find(tag);
    record(ctx, 11 ^ tag ^ static_cast<std::uint64_t>(*slot->second));
    results[ctx.self()].erase(slot);
  }
};

struct Outcome {
  EngineStats stats;
  NodeCounters totals;
  std::vector<std::uint64_t> digest;
};

Outcome run_chatter(int threads, NetworkModel model, SimTime latency_base, bool always_parallel,
                    bool idle_timeouts = false) {
  const std::uint32_t nodes = 300;
  EngineConfig config;
  config.nodes = nodes;
  config.seed = 42;
  config.threads = threads;
  config.always_parallel = always_parallel;
  config.network.model = model;
  config.network.latency.base = latency_base;
  config.network.latency.jitter_mean = 300 * kMicrosecond;
  config.network.uplink_bps.assign(nodes, 1'000'000'000);
  config.network.downlink_bps.assign(nodes, 500'000'000);
  config.network.loss_probability = 0.05;
  config.compute.flops_per_second = 1e9;
  config.compute.jitter_sigma = 0.3;
  config.faults.crashes = {{5, 50 * kMillisecond}, {17, 0}};
  config.faults.churn_mean_up = 40 * kMillisecond;
  config.faults.churn_mean_down = 10 * kMillisecond;
  config.faults.churn_nodes = {1, 2, 3, 100, 200};
  Engine engine(config);
  Chatter chatter(nodes);
  chatter.idle_timeouts = idle_timeouts;
  engine.set_behaviour_all(&chatter);
  // Stop in several slices, as a metrics recorder would.
  for (SimTime t = 50 * kMillisecond; t <= 400 * kMillisecond; t += 50 * kMillisecond) engine.run_until(t);
  return Outcome{engine.stats(), engine.total_counters(), chatter.digest};
}

}  // namespace

TEST_CASE("the same run is bit-identical for 1, 2 and 8 threads and across repetitions") {
  for (auto model : {NetworkModel::fifo, NetworkModel::fair}) {
    for (SimTime latency : {SimTime{kMillisecond}, SimTime{0}}) {
      INFO("model " << static_cast<int>(model) << " latency " << latency);
      const Outcome reference = run_chatter(1, model, latency, false);
      CHECK(reference.stats.events > 10'000);
      CHECK(reference.totals.messages_dropped > 0);
      for (int threads : {1, 2, 8}) {
        const Outcome outcome = run_chatter(threads, model, latency, true);
        CHECK(outcome.stats.fingerprint == reference.stats.fingerprint);
        CHECK(outcome.stats.events == reference.stats.events);
        CHECK(outcome.totals.bits_received == reference.totals.bits_received);
        CHECK(outcome.totals.messages_dropped == reference.totals.messages_dropped);
        CHECK(outcome.digest == reference.digest);
        if (threads > 1) CHECK(outcome.stats.parallel_windows > 0);
      }
    }
  }
}

TEST_CASE("timeouts that do nothing change no other event: the same history, more events") {
  const Outcome without = run_chatter(1, NetworkModel::fifo, kMillisecond, false);
  const Outcome with = run_chatter(1, NetworkModel::fifo, kMillisecond, false, true);
  CHECK(with.digest == without.digest);  // every message, timer and task at the same time, with the same draws
  CHECK(with.totals.bits_received == without.totals.bits_received);
  CHECK(with.totals.messages_dropped == without.totals.messages_dropped);
  CHECK(with.stats.events > without.stats.events);
  const Outcome parallel = run_chatter(2, NetworkModel::fifo, kMillisecond, true, true);
  CHECK(parallel.stats.fingerprint == with.stats.fingerprint);
  CHECK(parallel.digest == with.digest);
}

TEST_CASE("ties are broken by priority, then origin, then the origin's sequence") {
  // Three nodes send to node 0 so that everything arrives at exactly 1 ms;
  // node 0 also has a timer at 1 ms. Deliveries precede timers; among
  // deliveries, the lower origin first, then the origin's earlier send.
  struct Tie : NodeBehaviour {
    std::vector<std::pair<NodeId, std::uint32_t>> seen;
    void on_start(Context& ctx) override {
      if (ctx.self() == 0) {
        ctx.set_timer(kMillisecond, 99);
      } else {
        ctx.send(0, Message{ctx.self() * 10 + 1, 0, nullptr});
        ctx.send(0, Message{ctx.self() * 10 + 2, 0, nullptr});
      }
    }
    void on_message(Context&, NodeId from, const Message& message) override { seen.emplace_back(from, message.tag); }
    void on_timer(Context&, std::uint64_t tag) override { seen.emplace_back(999, static_cast<std::uint32_t>(tag)); }
  };
  for (int threads : {1, 4}) {
    EngineConfig config;
    config.nodes = 4;
    config.threads = threads;
    config.network.latency.base = kMillisecond;
    Engine engine(config);
    Tie tie;
    engine.set_behaviour_all(&tie);
    engine.run_until(kSecond);
    const std::vector<std::pair<NodeId, std::uint32_t>> expected = {
        {1, 11}, {1, 12}, {2, 21}, {2, 22}, {3, 31}, {3, 32}, {999, 99}};
    CHECK(tie.seen == expected);
  }
}

TEST_CASE("a large window (the grouped and the radix-sorted paths) still gives every node its events in key order") {
  // n nodes each send two messages to node 0 and one to node (7 i) mod n, all
  // arriving at exactly 1 ms: one window of 3 n events. Node 0 must see them
  // by origin, then by the origin's send order. 600 nodes: the queue's groups
  // (by the top 11 target bits) are single nodes, sorted one by one; 9000
  // nodes: groups of 8 nodes, too many events per group, the radix sort.
  struct Fan : NodeBehaviour {
    explicit Fan(std::uint32_t nodes) : n(nodes), seen(nodes) {}
    std::uint32_t n;
    std::vector<std::vector<std::pair<NodeId, std::uint32_t>>> seen;
    void on_start(Context& ctx) override {
      ctx.send(0, Message{2 * ctx.self(), 0, nullptr});
      ctx.send((7 * ctx.self()) % n, Message{5, 0, nullptr});
      ctx.send(0, Message{2 * ctx.self() + 1, 0, nullptr});
    }
    void on_message(Context& ctx, NodeId from, const Message& message) override {
      seen[ctx.self()].emplace_back(from, message.tag);
    }
  };
  for (std::uint32_t n : {600u, 9000u}) {
    for (int threads : {1, 2}) {
      INFO("nodes " << n << " threads " << threads);
      EngineConfig config;
      config.nodes = n;
      config.threads = threads;
      config.network.latency.base = kMillisecond;
      Engine engine(config);
      Fan fan(n);
      engine.set_behaviour_all(&fan);
      engine.run_until(kSecond);
      std::vector<std::pair<NodeId, std::uint32_t>> expected;
      for (NodeId from = 0; from < n; ++from) {
        expected.emplace_back(from, 2 * from);
        if ((7 * from) % n == 0) expected.emplace_back(from, 5);
        expected.emplace_back(from, 2 * from + 1);
      }
      CHECK(fan.seen[0] == expected);
      CHECK(fan.seen[7] == std::vector<std::pair<NodeId, std::uint32_t>>{{1, 5}});
      // Every other node hears from each i with 7 i mod n = node, in origin order.
      std::vector<std::vector<std::pair<NodeId, std::uint32_t>>> from_fan(n);
      for (NodeId from = 0; from < n; ++from) from_fan[(7 * from) % n].emplace_back(from, 5);
      for (NodeId node = 1; node < n; ++node)
        if (fan.seen[node] != from_fan[node]) FAIL("node " << node << " saw its messages out of order");
    }
  }
}

TEST_CASE("run_until stops at the horizon and continues, request_stop ends early") {
  struct Ticker : NodeBehaviour {
    int ticks = 0;
    void on_start(Context& ctx) override { ctx.set_timer(kMillisecond, 0); }
    void on_timer(Context& ctx, std::uint64_t) override {
      ++ticks;
      if (ticks == 50) ctx.request_stop();
      ctx.set_timer(kMillisecond, 0);
    }
  };
  EngineConfig config;
  config.nodes = 1;
  Engine engine(config);
  Ticker ticker;
  engine.set_behaviour_all(&ticker);
  CHECK(engine.run_until(10 * kMillisecond) == RunOutcome::reached_time);
  CHECK(ticker.ticks == 9);  // timers at 1..9 ms; the one at 10 ms is not before the horizon
  CHECK(engine.now() == 10 * kMillisecond);
  CHECK(engine.run_until(kSecond) == RunOutcome::stop_requested);
  CHECK(ticker.ticks == 50);
  CHECK(engine.pending_events() == 1);
  CHECK(engine.run_until(kSecond) == RunOutcome::reached_time);  // a stop ends one call only
  CHECK(ticker.ticks == 999);
}

TEST_CASE("with zero lookahead, same-instant messages run in delta rounds") {
  // A relay 0 -> 1 -> 2 -> 0 with zero latency: all at time 0, three rounds.
  struct Relay : NodeBehaviour {
    std::vector<NodeId> order;
    void on_start(Context& ctx) override {
      if (ctx.self() == 0) ctx.send(1, Message{0, 0, nullptr});
    }
    void on_message(Context& ctx, NodeId, const Message& message) override {
      order.push_back(ctx.self());
      CHECK(ctx.now() == 0);
      if (message.tag < 5) ctx.send((ctx.self() + 1) % 3, Message{message.tag + 1, 0, nullptr});
    }
  };
  EngineConfig config;
  config.nodes = 3;
  config.network.latency.base = 0;
  Engine engine(config);
  Relay relay;
  engine.set_behaviour_all(&relay);
  engine.run_until(kSecond);
  CHECK(relay.order == std::vector<NodeId>{1, 2, 0, 1, 2, 0});
}

TEST_CASE("bad engine configurations are rejected") {
  EngineConfig config;
  CHECK_THROWS_AS(Engine(config), std::invalid_argument);  // no nodes
  config.nodes = 4;
  config.network.loss_probability = 1.5;
  CHECK_THROWS_WITH(Engine(config), Catch::Contains("loss probability"));
  config.network.loss_probability = 0;
  config.network.uplink_bps = {1, 2};
  CHECK_THROWS_WITH(Engine(config), Catch::Contains("2 bandwidth values for 4 nodes"));
  config.network.uplink_bps.clear();
  config.faults.crashes = {{9, 0}};
  CHECK_THROWS_AS(Engine(config), std::invalid_argument);
  config.faults.crashes.clear();
  config.faults.churn_mean_up = kSecond;
  CHECK_THROWS_WITH(Engine(config), Catch::Contains("churn"));
}
