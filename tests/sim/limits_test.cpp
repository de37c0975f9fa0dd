// Run limits and the clock's range: a run loop can always end (a wall-clock
// deadline, a report that only churn is left), and simulated time never wraps.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <limits>

#include "sim/engine.hpp"
#include "sim/units.hpp"

using namespace dlsim;

namespace {

// Node 0 sends node 1 one message; node 1 answers each message (ping-pong),
// so activity stops for good once one of them is lost.
struct PingPong : NodeBehaviour {
  int messages = 0;
  void on_start(Context& ctx) override {
    if (ctx.self() == 0 && !ctx.rejoining()) ctx.send(1, Message{0, 64, nullptr});
  }
  void on_message(Context& ctx, NodeId from, const Message&) override {
    ++messages;
    ctx.send(from, Message{0, 64, nullptr});
  }
};

EngineConfig two_nodes() {
  EngineConfig config;
  config.nodes = 2;
  config.network.latency.base = kMillisecond;
  return config;
}

}  // namespace

TEST_CASE("churn without an end: the wall-clock deadline ends run_until within a second") {
  // A churning node forever: run_until(never) would not return without the deadline.
  EngineConfig config = two_nodes();
  config.faults.churn_mean_up = kMicrosecond;
  config.faults.churn_mean_down = kMicrosecond;
  Engine engine(config);
  PingPong behaviour;
  engine.set_behaviour_all(&behaviour);
  const auto started = std::chrono::steady_clock::now();
  RunLimits limits;
  limits.wall_deadline = started + std::chrono::milliseconds(300);
  engine.set_limits(limits);
  CHECK(engine.run_until(kLatestTime) == RunOutcome::wall_deadline);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  CHECK(seconds >= 0.3);
  CHECK(seconds < 1.3);
}

TEST_CASE("idle: once only churn events are pending, run_until says so, and goes on when asked") {
  // Node 1 churns (down 25% of the time): the ping-pong dies at the first
  // message that reaches it while it is down; then only churn is left.
  EngineConfig config = two_nodes();
  config.faults.churn_mean_up = 30 * kMillisecond;
  config.faults.churn_mean_down = 10 * kMillisecond;
  config.faults.churn_nodes = {1};
  Engine engine(config);
  PingPong behaviour;
  engine.set_behaviour_all(&behaviour);
  RunLimits limits;
  limits.return_when_idle = true;
  engine.set_limits(limits);
  REQUIRE(engine.run_until(kLatestTime) == RunOutcome::idle);
  CHECK(engine.counters(1).messages_dropped == 1);
  const int messages = behaviour.messages;
  CHECK(engine.pending_events() == 1);  // node 1's next churn change
  CHECK(engine.will_rejoin(1));
  CHECK_FALSE(engine.will_rejoin(0));
  // Asked again, it handles more churn (time moves on) and is idle again.
  const SimTime idle_at = engine.now();
  CHECK(engine.run_until(kLatestTime) == RunOutcome::idle);
  CHECK(engine.now() > idle_at);
  CHECK(behaviour.messages == messages);
  // Without the limit, run_until runs to the time asked.
  engine.set_limits(RunLimits{});
  CHECK(engine.run_until(engine.now() + kSecond) == RunOutcome::reached_time);
}

TEST_CASE("idle is not reported while anything but lifecycle events is pending, nor without churn") {
  EngineConfig config = two_nodes();
  Engine engine(config);
  PingPong behaviour;
  engine.set_behaviour_all(&behaviour);
  RunLimits limits;
  limits.return_when_idle = true;
  engine.set_limits(limits);
  CHECK(engine.run_until(kSecond) == RunOutcome::reached_time);
  CHECK(behaviour.messages == 999);  // arrivals at 1, 2, ..., 999 ms
  CHECK_FALSE(engine.will_rejoin(0));  // no churn
  // Every node churns; a crashed one never rejoins.
  config.faults.crashes = {{1, 0}};
  config.faults.churn_mean_up = kSecond;
  config.faults.churn_mean_down = kSecond;
  Engine crashed(config);
  crashed.run_until(kMillisecond);
  CHECK_FALSE(crashed.will_rejoin(1));
  CHECK(crashed.will_rejoin(0));
}

TEST_CASE("checked conversion: doubles beyond int64 nanoseconds, NaN and negatives are errors, not casts") {
  CHECK(checked_duration(0.0, "x") == 0);
  CHECK(checked_duration(1.9, "x") == 1);  // truncated like a cast
  CHECK(checked_duration(9.2e18, "x") == 9'200'000'000'000'000'000);
  CHECK_THROWS_AS(checked_duration(9223372036854775808.0, "x"), TimeOverflow);  // 2^63
  CHECK_THROWS_AS(checked_duration(1e30, "x"), TimeOverflow);
  CHECK_THROWS_AS(checked_duration(std::numeric_limits<double>::infinity(), "x"), TimeOverflow);
  CHECK_THROWS_AS(checked_duration(std::nan(""), "x"), TimeOverflow);
  CHECK_THROWS_AS(checked_duration(-1.0, "x"), TimeOverflow);
  CHECK_THROWS_WITH(checked_duration(1e30, "a compute task's duration"),
                    Catch::Contains("a compute task's duration") && Catch::Contains("292 years"));
  CHECK(checked_add(kLatestTime - 5, 5, "x") == kLatestTime);
  CHECK_THROWS_AS(checked_add(kLatestTime - 5, 6, "x"), TimeOverflow);
  CHECK_THROWS_AS(checked_add(kLatestTime, kLatestTime, "x"), TimeOverflow);
  CHECK_THROWS_AS(transfer_duration(std::numeric_limits<std::int64_t>::max(), 1), TimeOverflow);
}

TEST_CASE("a compute task beyond the clock's range throws TimeOverflow instead of wrapping around") {
  // 1e6 flops at 1e-6 flop/s is 1e12 s = 1e21 ns: beyond int64 nanoseconds.
  struct Computer : NodeBehaviour {
    void on_start(Context& ctx) override { ctx.start_compute(ComputeCost{1e6, 0}, [] {}, 0); }
  };
  EngineConfig config;
  config.nodes = 1;
  config.compute.flops_per_second = 1e-6;
  Engine engine(config);
  Computer computer;
  engine.set_behaviour_all(&computer);
  CHECK_THROWS_AS(engine.run_until(kSecond), TimeOverflow);
  CHECK(compute_seconds(config.compute, 0, ComputeCost{1e6, 0}) == 1e12);
}

TEST_CASE("a timer or a latency that ends beyond the clock's range throws TimeOverflow") {
  struct LateTimer : NodeBehaviour {
    void on_start(Context& ctx) override {
      ctx.set_timer(kLatestTime - 10, 0);
      ctx.set_timer(kMillisecond, 1);
    }
    void on_timer(Context& ctx, std::uint64_t tag) override {
      if (tag == 1) ctx.set_timer(kLatestTime - 10, 2);  // now = 1 ms: beyond the range
    }
  };
  EngineConfig config;
  config.nodes = 1;
  Engine engine(config);
  LateTimer timer;
  engine.set_behaviour_all(&timer);
  CHECK_THROWS_AS(engine.run_until(kSecond), TimeOverflow);

  // Latency plus spread must fit; huge latency with jitter is checked per message.
  EngineConfig spread = two_nodes();
  spread.network.latency.base = kLatestTime - 10;
  spread.network.latency.spread = 11;
  CHECK_THROWS_AS(Engine(spread), std::invalid_argument);
  EngineConfig jitter = two_nodes();
  jitter.network.latency.base = kLatestTime / 2;
  jitter.network.latency.jitter_mean = kLatestTime / 2;
  Engine jittery(jitter);
  PingPong behaviour;
  jittery.set_behaviour_all(&behaviour);
  // The first message's latency is base + an exponential draw with mean base: beyond the range with
  // probability exp(-1); the first few messages make that certain.
  CHECK_THROWS_AS(jittery.run_until(kLatestTime), TimeOverflow);
}
