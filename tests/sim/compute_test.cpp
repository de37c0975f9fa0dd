// Compute tasks: simulated duration from the cost model; results from the snapshot.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <memory>
#include <vector>

#include "sim/engine.hpp"

using namespace dlsim;

namespace {

struct Snapshotter : NodeBehaviour {
  std::vector<double> state;        // per node, changed by messages
  std::vector<double> result;       // written by the task only
  std::vector<SimTime> done_at;
  std::vector<double> result_seen;
  void on_start(Context& ctx) override {
    const NodeId self = ctx.self();
    if (self == 0) {
      const double snapshot = state[0];
      double* out = &result[0];
      // 2e9 flops at 1e10 flop/s = 200 ms.
      ctx.start_compute(ComputeCost{2e9, 0}, [snapshot, out] { *out = snapshot * 2; }, 7);
    } else {
      ctx.send(0, Message{1, 64, nullptr});  // arrives at 1 ms, during the task
    }
  }
  void on_message(Context& ctx, NodeId, const Message&) override { state[ctx.self()] = 1000; }
  void on_compute_done(Context& ctx, std::uint64_t tag) override {
    CHECK(tag == 7);
    done_at[ctx.self()] = ctx.now();
    result_seen[ctx.self()] = result[ctx.self()];
  }
};

}  // namespace

TEST_CASE("a task completes after cost / speed and computes on its snapshot") {
  for (int threads : {1, 2, 4}) {
    EngineConfig config;
    config.nodes = 2;
    config.threads = threads;
    config.compute.flops_per_second = 1e10;
    Engine engine(config);
    Snapshotter behaviour;
    behaviour.state = {21, 0};
    behaviour.result = {0, 0};
    behaviour.done_at = {0, 0};
    behaviour.result_seen = {0, 0};
    engine.set_behaviour_all(&behaviour);
    engine.run_until(kSecond);
    CHECK(behaviour.done_at[0] == 200 * kMillisecond);
    CHECK(behaviour.state[0] == 1000);        // the message did arrive meanwhile
    CHECK(behaviour.result_seen[0] == 42);    // but the task saw the snapshot
  }
}

TEST_CASE("compute duration: memory bound, speed factor and jitter") {
  struct OneTask : NodeBehaviour {
    std::vector<SimTime> done;
    ComputeCost cost;
    void on_start(Context& ctx) override { ctx.start_compute(cost, [] {}, 0); }
    void on_compute_done(Context& ctx, std::uint64_t) override { done[ctx.self()] = ctx.now(); }
  };
  EngineConfig config;
  config.nodes = 2;
  config.compute.flops_per_second = 1e9;
  config.compute.bytes_per_second = 1e9;
  config.compute.speed_factor = {1.0, 0.2};  // node 1 is five times slower
  Engine engine(config);
  OneTask task;
  task.done = {0, 0};
  task.cost = ComputeCost{1e6, 3e6};  // memory bound: 3 ms
  engine.set_behaviour_all(&task);
  engine.run_until(kSecond);
  CHECK(task.done[0] == 3 * kMillisecond);
  CHECK(task.done[1] == 15 * kMillisecond);

  // Lognormal jitter with sigma 0.5: log(duration / 3 ms) has mean 0 and sd 0.5.
  EngineConfig jittery;
  jittery.nodes = 2000;
  jittery.compute.flops_per_second = 1e9;
  jittery.compute.bytes_per_second = 1e9;
  jittery.compute.jitter_sigma = 0.5;
  Engine jitter_engine(jittery);
  OneTask jitter_task;
  jitter_task.done.assign(2000, 0);
  jitter_task.cost = ComputeCost{3e6, 0};
  jitter_engine.set_behaviour_all(&jitter_task);
  jitter_engine.run_until(10 * kSecond);
  double sum = 0, sum_sq = 0;
  for (SimTime t : jitter_task.done) {
    const double x = std::log(static_cast<double>(t) / 3e6);
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / 2000, sd = std::sqrt(sum_sq / 2000 - mean * mean);
  CHECK(std::abs(mean) < 5 * 0.5 / std::sqrt(2000.0));
  CHECK(sd == Approx(0.5).epsilon(0.05));
}

TEST_CASE("a task that throws fails the run with its message") {
  struct Thrower : NodeBehaviour {
    void on_start(Context& ctx) override {
      ctx.start_compute(ComputeCost{1, 0}, [] { throw std::runtime_error("task broke"); }, 0);
    }
  };
  for (int threads : {1, 2}) {
    EngineConfig config;
    config.nodes = 1;
    config.threads = threads;
    Engine engine(config);
    Thrower thrower;
    engine.set_behaviour_all(&thrower);
    CHECK_THROWS_WITH(engine.run_until(kSecond), "task broke");
  }
}
