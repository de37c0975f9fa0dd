// Closed forms for the two network models.
#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include "sim/engine.hpp"

using namespace dlsim;

namespace {

// Node 0..k send one message each at start as configured; receivers record arrival times.
struct Recorder : NodeBehaviour {
  std::vector<std::vector<std::pair<NodeId, std::int64_t>>> sends;  // per node: (to, bits)
  std::map<std::pair<NodeId, std::uint32_t>, SimTime> arrivals;     // (receiver, tag) -> time
  void on_start(Context& ctx) override {
    std::uint32_t tag = 0;
    for (const auto& [to, bits] : sends[ctx.self()]) ctx.send(to, Message{ctx.self() * 100 + tag++, bits, nullptr});
  }
  void on_message(Context& ctx, NodeId, const Message& message) override {
    arrivals[{ctx.self(), message.tag}] = ctx.now();
  }
};

EngineConfig network_config(std::uint32_t nodes, NetworkModel model, std::int64_t rate) {
  EngineConfig config;
  config.nodes = nodes;
  config.network.model = model;
  config.network.latency.base = 10 * kMillisecond;
  config.network.uplink_bps.assign(nodes, rate);
  config.network.downlink_bps.assign(nodes, rate);
  return config;
}

}  // namespace

TEST_CASE("fifo: 1 MiB over 1 Gbps with 10 ms latency arrives at 18.388608 ms") {
  for (auto model : {NetworkModel::fifo, NetworkModel::fair}) {
    Engine engine(network_config(2, model, 1'000'000'000));
    Recorder recorder;
    recorder.sends = {{{1, 8'388'608}}, {}};
    engine.set_behaviour_all(&recorder);
    engine.run_until(kSecond);
    CHECK(recorder.arrivals.at({1, 0}) == 18'388'608);
    CHECK(engine.counters(0).bits_sent == 8'388'608);
    CHECK(engine.counters(1).bits_received == 8'388'608);
  }
}

TEST_CASE("fifo: k messages leaving one uplink arrive serialized") {
  // 4 messages of 1e6 bits at 1 Gbit/s to 4 receivers with unlimited downlinks:
  // message i leaves the uplink at i ms and arrives at 10 ms + (i + 1) ms.
  EngineConfig config = network_config(5, NetworkModel::fifo, 1'000'000'000);
  config.network.downlink_bps.assign(5, kUnlimitedBandwidth);
  Engine engine(config);
  Recorder recorder;
  recorder.sends = {{{1, 1'000'000}, {2, 1'000'000}, {3, 1'000'000}, {4, 1'000'000}}, {}, {}, {}, {}};
  engine.set_behaviour_all(&recorder);
  engine.run_until(kSecond);
  for (std::uint32_t i = 0; i < 4; ++i) CHECK(recorder.arrivals.at({i + 1, i}) == 10 * kMillisecond + (i + 1) * kMillisecond);
}

TEST_CASE("fifo: a slow downlink bounds delivery, a slow uplink bounds it too") {
  EngineConfig config = network_config(2, NetworkModel::fifo, 1'000'000'000);
  config.network.downlink_bps[1] = 100'000'000;  // 100 Mbit/s
  Engine engine(config);
  Recorder recorder;
  recorder.sends = {{{1, 1'000'000}}, {}};
  engine.set_behaviour_all(&recorder);
  engine.run_until(kSecond);
  // 1e6 bits at 100 Mbit/s = 10 ms after the head arrives at 10 ms.
  CHECK(recorder.arrivals.at({1, 0}) == 20 * kMillisecond);
}

TEST_CASE("fifo: two senders into one downlink queue behind each other") {
  EngineConfig config = network_config(3, NetworkModel::fifo, 1'000'000'000);
  Engine engine(config);
  Recorder recorder;
  recorder.sends = {{{2, 1'000'000}}, {{2, 1'000'000}}, {}};
  engine.set_behaviour_all(&recorder);
  engine.run_until(kSecond);
  // Both heads reach node 2 at 10 ms; node 0's message (earlier key) takes the
  // downlink first and ends at 11 ms, node 1's follows and ends at 12 ms.
  CHECK(recorder.arrivals.at({2, 0}) == 11 * kMillisecond);
  CHECK(recorder.arrivals.at({2, 100}) == 12 * kMillisecond);
}

TEST_CASE("fair: two flows sharing a downlink get half the rate each") {
  Engine engine(network_config(3, NetworkModel::fair, 1'000'000'000));
  Recorder recorder;
  recorder.sends = {{{2, 1'000'000}}, {{2, 1'000'000}}, {}};
  engine.set_behaviour_all(&recorder);
  engine.run_until(kSecond);
  // Each flow runs at 0.5 Gbit/s: 1e6 bits take 2 ms, then 10 ms latency.
  CHECK(recorder.arrivals.at({2, 0}) == 12 * kMillisecond);
  CHECK(recorder.arrivals.at({2, 100}) == 12 * kMillisecond);
}

TEST_CASE("fair: the remaining flow speeds up when the other ends") {
  Engine engine(network_config(3, NetworkModel::fair, 1'000'000'000));
  Recorder recorder;
  recorder.sends = {{{2, 1'000'000}}, {{2, 2'000'000}}, {}};
  engine.set_behaviour_all(&recorder);
  engine.run_until(kSecond);
  // Both at 0.5 Gbit/s until the short one ends at 2 ms; the long one has 1e6
  // bits left and finishes them at the full 1 Gbit/s by 3 ms.
  CHECK(recorder.arrivals.at({2, 0}) == 12 * kMillisecond);
  CHECK(recorder.arrivals.at({2, 100}) == 13 * kMillisecond);
}

TEST_CASE("fair: max-min shares with different bottlenecks") {
  // Node 0 uplink 1 Gbit/s sends to 1 and 2; node 2's downlink is 200 Mbit/s
  // and also receives from node 3. Max-min: flows into node 2 get 100 Mbit/s
  // each; 0->1 gets the rest of node 0's uplink, 900 Mbit/s.
  EngineConfig config = network_config(4, NetworkModel::fair, 1'000'000'000);
  config.network.downlink_bps[2] = 200'000'000;
  Engine engine(config);
  Recorder recorder;
  recorder.sends = {{{1, 900'000}, {2, 100'000}}, {}, {}, {{2, 100'000}}};
  engine.set_behaviour_all(&recorder);
  engine.run_until(kSecond);
  CHECK(recorder.arrivals.at({1, 0}) == 11 * kMillisecond);   // 900e3 / 900e6 = 1 ms
  CHECK(recorder.arrivals.at({2, 1}) == 11 * kMillisecond);   // 100e3 / 100e6 = 1 ms
  CHECK(recorder.arrivals.at({2, 300}) == 11 * kMillisecond);
}

TEST_CASE("latency tables and per-link uniform latencies") {
  EngineConfig config;
  config.nodes = 3;
  config.network.latency.kind = LatencyModel::Kind::table;
  config.network.latency.base = 5 * kMillisecond;
  config.network.latency.per_link[{0, 2}] = 2 * kMillisecond;
  Engine engine(config);
  CHECK(engine.lookahead() == 2 * kMillisecond);
  Recorder recorder;
  recorder.sends = {{{1, 0}, {2, 0}}, {}, {}};
  engine.set_behaviour_all(&recorder);
  engine.run_until(kSecond);
  CHECK(recorder.arrivals.at({1, 0}) == 5 * kMillisecond);
  CHECK(recorder.arrivals.at({2, 1}) == 2 * kMillisecond);

  EngineConfig uniform;
  uniform.nodes = 2;
  uniform.network.latency.kind = LatencyModel::Kind::uniform;
  uniform.network.latency.base = kMillisecond;
  uniform.network.latency.spread = kMillisecond;
  Recorder both_ways;
  both_ways.sends = {{{1, 0}}, {{0, 0}}};
  Engine uniform_engine(uniform);
  uniform_engine.set_behaviour_all(&both_ways);
  uniform_engine.run_until(kSecond);
  const SimTime forward = both_ways.arrivals.at({1, 0});
  CHECK(forward >= kMillisecond);
  CHECK(forward <= 2 * kMillisecond);
  CHECK(both_ways.arrivals.at({0, 100}) == forward);  // links are symmetric
}

TEST_CASE("links to and from the hub node have the hub latency, the others the base latency") {
  // A federated server (node 2) 50 ms from its clients; the clients 10 ms apart.
  // Unlimited bandwidth: arrival = latency.
  EngineConfig config = network_config(3, NetworkModel::fifo, kUnlimitedBandwidth);
  config.network.latency.hub = 2;
  config.network.latency.hub_latency = 50 * kMillisecond;
  Engine engine(config);
  CHECK(engine.lookahead() == 10 * kMillisecond);
  Recorder recorder;
  recorder.sends = {{{1, 64}, {2, 64}}, {}, {{0, 64}}};
  engine.set_behaviour_all(&recorder);
  engine.run_until(kSecond);
  CHECK(recorder.arrivals.at({1, 0}) == 10 * kMillisecond);
  CHECK(recorder.arrivals.at({2, 1}) == 50 * kMillisecond);
  CHECK(recorder.arrivals.at({0, 200}) == 50 * kMillisecond);
  config.network.latency.hub = 3;  // not a node
  CHECK_THROWS_AS(Engine(config), std::invalid_argument);
}
