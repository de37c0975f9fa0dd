// Message loss, crashes and churn behave as specified.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "sim/engine.hpp"

using namespace dlsim;

namespace {

// Node 0 sends one message to node 1 every millisecond for a second.
struct Stream : NodeBehaviour {
  std::vector<SimTime> received;
  int restarts = 0;
  void on_start(Context& ctx) override {
    if (ctx.rejoining()) ++restarts;
    if (ctx.self() == 0 && !ctx.rejoining()) ctx.set_timer(0, 0);
  }
  void on_timer(Context& ctx, std::uint64_t) override {
    ctx.send(1, Message{0, 100, nullptr});
    if (ctx.now() < 999 * kMillisecond) ctx.set_timer(kMillisecond, 0);
  }
  void on_message(Context& ctx, NodeId, const Message&) override { received.push_back(ctx.now()); }
};

NodeCounters run_stream(EngineConfig config, Stream& stream) {
  Engine engine(config);
  engine.set_behaviour_all(&stream);
  engine.run_until(2 * kSecond);
  return engine.counters(1);
}

}  // namespace

TEST_CASE("loss: counts match the seeded expectation exactly, and the probability over seeds") {
  EngineConfig config;
  config.nodes = 2;
  config.network.latency.base = kMillisecond;
  config.network.loss_probability = 0.2;
  Stream first, second;
  const NodeCounters a = run_stream(config, first);
  const NodeCounters b = run_stream(config, second);
  CHECK(a.messages_received + a.messages_dropped == 1000);
  CHECK(a.messages_dropped == b.messages_dropped);  // same seed, same drops
  CHECK(first.received == second.received);
  CHECK(a.bits_dropped == 100 * a.messages_dropped);

  // Over 20 seeds, 20,000 messages: the drop rate is 0.2 within 5 standard errors.
  std::uint64_t dropped = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    config.seed = seed;
    Stream stream;
    dropped += run_stream(config, stream).messages_dropped;
  }
  const double rate = static_cast<double>(dropped) / 20000.0;
  CHECK(std::abs(rate - 0.2) < 5 * std::sqrt(0.2 * 0.8 / 20000.0));
}

TEST_CASE("crash: messages to a crashed node are dropped and counted") {
  EngineConfig config;
  config.nodes = 2;
  config.network.latency.base = kMillisecond;
  config.faults.crashes = {{1, 500 * kMillisecond + 1}};
  Stream stream;
  const NodeCounters counters = run_stream(config, stream);
  // Sends at 0..999 ms arrive at 1..1000 ms; those arriving up to 500 ms get through.
  CHECK(counters.messages_received == 500);
  CHECK(counters.messages_dropped == 500);
  CHECK(stream.received.back() == 500 * kMillisecond);
}

TEST_CASE("churn: a churning receiver is down for the expected fraction of time") {
  // Up and down periods with means 30 ms and 10 ms: down 25% of the time in the long run.
  EngineConfig config;
  config.nodes = 2;
  config.network.latency.base = kMillisecond;
  config.faults.churn_mean_up = 30 * kMillisecond;
  config.faults.churn_mean_down = 10 * kMillisecond;
  config.faults.churn_nodes = {1};
  std::uint64_t dropped = 0, total = 0;
  int restarts = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    config.seed = seed;
    Stream stream;
    const NodeCounters counters = run_stream(config, stream);
    dropped += counters.messages_dropped;
    total += counters.messages_dropped + counters.messages_received;
    restarts += stream.restarts;
  }
  CHECK(total == 40'000);
  // One outage per 40 ms cycle on average: about 50 in each 2 s run.
  CHECK(restarts > 40 * 40);
  CHECK(restarts < 40 * 60);
  CHECK(static_cast<double>(dropped) / static_cast<double>(total) == Approx(0.25).margin(0.03));

  // A fixed seed gives exactly the same drops again.
  config.seed = 3;
  Stream a, b;
  CHECK(run_stream(config, a).messages_dropped == run_stream(config, b).messages_dropped);
  CHECK(a.received == b.received);
}

TEST_CASE("a node that goes down loses its pending timers") {
  struct Sleeper : NodeBehaviour {
    int fired = 0;
    void on_start(Context& ctx) override {
      if (!ctx.rejoining()) ctx.set_timer(10 * kSecond, 0);
    }
    void on_timer(Context&, std::uint64_t) override { ++fired; }
  };
  EngineConfig config;
  config.nodes = 1;
  config.faults.churn_mean_up = kSecond;
  config.faults.churn_mean_down = kMillisecond;
  Engine engine(config);
  Sleeper sleeper;
  engine.set_behaviour_all(&sleeper);
  engine.run_until(20 * kSecond);
  CHECK(sleeper.fired == 0);  // the node went down long before 10 s
}
