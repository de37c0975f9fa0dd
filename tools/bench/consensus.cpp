// Exact average consensus by synchronous gossip at scale (issue 15): every
// node holds one value x_i; each round it sends x_i to its neighbours and,
// once it has their values of that round, sets x_i <- sum_j w_ij x_j with
// Metropolis-Hastings weights (1 / (d + 1) everywhere on a d-regular graph).
// The behaviour is the library's FlatGossip (algorithms/decentralized/
// flat_gossip.hpp), the one `dlsim run` takes for exact gossip: the value
// travels inside the event (Message::word, no allocation), the graph and W
// are flat arrays (topologies/flat_mixing.hpp; one shared row on these
// regular graphs). Latency 1 ms on every link, no bandwidth limit. Per node
// FlatGossip keeps x, the values of two rounds per neighbour, two counts, the
// round and a start flag: 53 bytes on a ring, 85 on a 4-regular graph.
//
// Usage: bench_consensus [--topology ring|regular4] [--nodes N] [--rounds R]
//          [--threads T] [--repeat K] [--counters]
// --counters keeps the engine's per-node traffic counters (48 bytes a node;
// off by default: only totals). Prints wall seconds (median of K), the
// process's CPU seconds over the run (median; with a shared machine, the
// figure the load distorts least) and the 1-minute load average, events/s,
// peak RSS in bytes per node, the spread of the values before and after (the
// consensus distance (1/n) sum (x_i - mean)^2), the drift of the mean, and a
// checksum of the final values that must not depend on --threads.
#include <fmt/core.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/decentralized/flat_gossip.hpp"
#include "bench_support.hpp"
#include "sim/engine.hpp"
#include "topologies/generators.hpp"
#include "topologies/flat_mixing.hpp"
#include "topologies/mixing.hpp"

using namespace dlsim;

namespace {

constexpr const char* kProgram = "bench_consensus";

struct Spread {
  double mean = 0.0;
  double distance = 0.0;  // (1/n) sum (x_i - mean)^2
};

Spread spread_of(const std::vector<double>& x) {
  Spread s;
  for (double v : x) s.mean += v;
  s.mean /= static_cast<double>(x.size());
  for (double v : x) s.distance += (v - s.mean) * (v - s.mean);
  s.distance /= static_cast<double>(x.size());
  return s;
}

std::vector<double> values_of(const FlatGossip& gossip, std::uint64_t nodes) {
  std::vector<double> x(nodes);
  for (std::uint64_t node = 0; node < nodes; ++node) x[node] = gossip.model(static_cast<NodeId>(node))[0];
  return x;
}

}  // namespace

int main(int argc, char** argv) {
  std::string topology = "ring";
  std::uint64_t nodes = 1'000'000;
  std::uint32_t rounds = 10;
  int threads = 1, repeat = 1;
  bool counters = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      fmt::print("usage: bench_consensus [--topology ring|regular4] [--nodes N] [--rounds R] [--threads T] [--repeat K] [--counters]\n");
      return 0;
    }
    if (flag == "--counters") {
      counters = true;
      continue;
    }
    if (i + 1 >= argc) bench::usage_error(kProgram, flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--topology") topology = value;
    else if (flag == "--nodes") nodes = static_cast<std::uint64_t>(bench::parse_number(kProgram, flag, value));
    else if (flag == "--rounds") rounds = static_cast<std::uint32_t>(bench::parse_number(kProgram, flag, value));
    else if (flag == "--threads") threads = static_cast<int>(bench::parse_number(kProgram, flag, value));
    else if (flag == "--repeat") repeat = std::max(1, static_cast<int>(bench::parse_number(kProgram, flag, value)));
    else bench::usage_error(kProgram, "unknown option " + flag);
  }
  if (topology != "ring" && topology != "regular4")
    bench::usage_error(kProgram, "--topology must be ring or regular4, got \"" + topology + "\"");
  if (nodes < 5 || nodes > kMaxNodes)
    bench::usage_error(kProgram, fmt::format("--nodes must be in [5, {}]", kMaxNodes));
  if (threads < 1) bench::usage_error(kProgram, "--threads must be at least 1");

  const long baseline_kib = bench::peak_rss_kib();
  const auto build_started = std::chrono::steady_clock::now();
  // The regular graph goes through Boost's generator and W once; only the flat arrays are kept.
  const auto mixing = std::make_shared<const FlatMixing>(
      topology == "ring" ? metropolis_ring_mixing(nodes)
                         : flat_mixing(mixing_matrix(random_regular_graph(nodes, 4, 1), MixingRule::metropolis)));
  const double build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - build_started).count();

  std::vector<double> times, cpu_times;
  double checksum = 0.0;
  std::uint64_t events = 0;
  Spread before, after;
  for (int run = 0; run < repeat; ++run) {
    EngineConfig config;
    config.nodes = static_cast<std::uint32_t>(nodes);
    config.seed = 1;
    config.threads = threads;
    config.per_node_counters = counters;
    config.network.latency.base = 1'000'000;  // 1 ms
    FlatGossipConfig gossip_config{mixing, 1, rounds, 1.0, std::vector<double>(nodes)};
    for (std::uint64_t node = 0; node < nodes; ++node)
      gossip_config.initial_models[node] = RandomStream(1, node, purpose_id("bench.consensus.init")).uniform();
    before = spread_of(gossip_config.initial_models);
    FlatGossip gossip(std::move(gossip_config), nullptr);
    Engine engine(config);
    engine.set_behaviour_all(&gossip);
    const auto started = std::chrono::steady_clock::now();
    const double cpu_started = bench::cpu_seconds();
    engine.run_until(kLatestTime);
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    cpu_times.push_back(bench::cpu_seconds() - cpu_started);
    for (std::uint64_t node = 0; node < nodes; ++node)
      if (const std::uint64_t r = gossip.rounds_completed(static_cast<NodeId>(node)); r != rounds) {
        fmt::print(stderr, "{}: a node finished {} of {} rounds\n", kProgram, r, rounds);
        return 1;
      }
    const std::vector<double> x = values_of(gossip, nodes);
    after = spread_of(x);
    checksum = 0.0;
    for (double v : x) checksum += v;
    events = engine.stats().events - engine.stats().lifecycle_events;
  }
  const double seconds = bench::median(times);
  const long peak_kib = bench::peak_rss_kib();
  fmt::print(
      "consensus topology={} nodes={} rounds={} threads={} counters={} wall_s={:.2f} (median of {}; min {:.2f}, max {:.2f}) "
      "cpu_s={:.2f} load={:.1f} graph_s={:.2f} events={} events_per_s={:.0f} peak_rss={:.1f}MiB peak_rss_per_node={:.1f}B "
      "above_start_per_node={:.1f}B distance {:.3e} -> {:.3e} mean_drift={:.1e} checksum={:016x}\n",
      topology, nodes, rounds, threads, counters ? "on" : "off", seconds, times.size(),
      *std::min_element(times.begin(), times.end()), *std::max_element(times.begin(), times.end()),
      bench::median(cpu_times), bench::load_average(), build_seconds,
      events, static_cast<double>(events) / seconds, peak_kib / 1024.0,
      peak_kib * 1024.0 / static_cast<double>(nodes),
      (peak_kib - baseline_kib) * 1024.0 / static_cast<double>(nodes), before.distance, after.distance,
      std::abs(after.mean - before.mean), std::bit_cast<std::uint64_t>(checksum));
}
