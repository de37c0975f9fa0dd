// PHOLD on dlsim's engine (Fujimoto, "Performance of Time Warp under
// synthetic workloads", 1990), the same workload as ../shared/anchors/ns3_phold.cc:
// each event schedules one new event for a uniformly random node (itself
// included) at now + 100 ns + Exp(mean 900 ns); initial events are uniform in
// [0, 1000] ns. Here an event is a zero-bit message through the network model
// (latency 100 ns, per-message exponential jitter of mean 900 ns, unlimited
// bandwidth), so the whole send/deliver path is measured.
//
// Usage: bench_phold [--nodes N] [--per-node K] [--events E] [--work W] [--threads T] [--repeat R] [--counters]
// Prints events/s (median of R runs), peak memory, engine bytes per pending
// event and the result hash, which must not depend on --threads. Events are
// counted as ns-3 counts them: the PHOLD events only, not the engine's node
// starts (one lifecycle event per node). The engine's per-node traffic
// counters (48 bytes a node) are off unless --counters: ns-3 keeps none.
#include <fmt/core.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "sim/engine.hpp"

using namespace dlsim;

namespace {

// Computed once: purpose_id is constexpr, but called inside a hook it hashed
// its string on every event (a third of the behaviour's time).
constexpr std::uint64_t kTargetPurpose = purpose_id("phold.target");
constexpr std::uint64_t kInitialPurpose = purpose_id("phold.initial");

struct Phold : NodeBehaviour {
  std::uint32_t per_node = 1;
  int work = 0;
  std::vector<double> sink;  // per node, so the work cannot be optimised away

  void busy(NodeId node) {
    double x = sink[node];
    for (int i = 0; i < work; ++i) x = x * 0.999999 + 1e-9;
    sink[node] = x;
  }
  void hop(Context& ctx) {
    // Without work, not even the sink's load and store: the engine alone is measured.
    if (work > 0) busy(ctx.self());
    RandomStream rng = ctx.rng(kTargetPurpose);
    ctx.send(static_cast<NodeId>(rng.uniform_int(ctx.node_count())), Message{});
  }
  void on_start(Context& ctx) override {
    RandomStream rng = ctx.rng(kInitialPurpose);
    for (std::uint32_t k = 0; k < per_node; ++k) ctx.set_timer(static_cast<SimTime>(rng.uniform_int(1001)), 0);
  }
  void on_timer(Context& ctx, std::uint64_t) override { hop(ctx); }
  void on_message(Context& ctx, NodeId, const Message&) override { hop(ctx); }
};

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

std::uint64_t parse_count(const char* flag, const char* text) {
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  if (end == text || *end != '\0' || value < 0) {
    fmt::print(stderr, "bench_phold: {} needs a non-negative number, got \"{}\"\n", flag, text);
    std::exit(2);
  }
  return static_cast<std::uint64_t>(value);
}

}  // namespace

int main(int argc, char** argv) {
  std::uint32_t nodes = 10'000, per_node = 1;
  std::uint64_t target_events = 5'000'000;
  int work = 0, threads = 1, repeat = 3;
  bool counters = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--counters") {
      counters = true;
      continue;
    }
    if (flag == "--help" || flag == "-h") {
      fmt::print("usage: bench_phold [--nodes N] [--per-node K] [--events E] [--work W] [--threads T] [--repeat R] [--counters]\n");
      return 0;
    }
    if (i + 1 >= argc) {
      fmt::print(stderr, "bench_phold: {} needs a value\n", flag);
      return 2;
    }
    const char* value = argv[++i];
    if (flag == "--nodes") nodes = static_cast<std::uint32_t>(parse_count("--nodes", value));
    else if (flag == "--per-node") per_node = static_cast<std::uint32_t>(parse_count("--per-node", value));
    else if (flag == "--events") target_events = parse_count("--events", value);
    else if (flag == "--work") work = static_cast<int>(parse_count("--work", value));
    else if (flag == "--threads") threads = static_cast<int>(parse_count("--threads", value));
    else if (flag == "--repeat") repeat = std::max(1, static_cast<int>(parse_count("--repeat", value)));
    else {
      fmt::print(stderr, "bench_phold: unknown option {}\n", flag);
      return 2;
    }
  }
  const long baseline_kib = peak_rss_kib();
  // Events arrive at pending / (mean delay 1000 ns) per ns of simulated time.
  const double pending = static_cast<double>(nodes) * per_node;
  const SimTime horizon = static_cast<SimTime>(static_cast<double>(target_events) / pending * 1000.0) + 1000;

  std::vector<double> rates;
  std::uint64_t hash = 0, events = 0;
  std::size_t queue_bytes = 0, pending_events = 0;
  for (int run = 0; run < repeat; ++run) {
    EngineConfig config;
    config.nodes = nodes;
    config.seed = 42;
    config.threads = threads;
    config.per_node_counters = counters;
    config.network.latency.base = 100;
    config.network.latency.jitter_mean = 900;
    Phold phold;
    phold.per_node = per_node;
    phold.work = work;
    phold.sink.assign(nodes, 1.0);
    Engine engine(config);
    engine.set_behaviour_all(&phold);
    const auto started = std::chrono::steady_clock::now();
    engine.run_until(horizon);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    events = engine.stats().events - engine.stats().lifecycle_events;
    rates.push_back(static_cast<double>(events) / seconds);
    hash = engine.stats().fingerprint;
    queue_bytes = engine.queue_memory_bytes();
    pending_events = engine.pending_events();
  }
  std::sort(rates.begin(), rates.end());
  const long peak_kib = peak_rss_kib();
  fmt::print(
      "dlsim phold nodes={} pending={} threads={} work={} events={} events_per_s={:.0f} "
      "(median of {}; min {:.0f}, max {:.0f}) peak_rss={:.1f}MiB "
      "rss_per_pending_event={:.1f}B queue_bytes_per_pending_event={:.1f}B hash={:016x}\n",
      nodes, static_cast<std::uint64_t>(pending), threads, work, events, rates[rates.size() / 2], repeat,
      rates.front(), rates.back(), peak_kib / 1024.0,
      (peak_kib - baseline_kib) * 1024.0 / pending,
      static_cast<double>(queue_bytes) / static_cast<double>(pending_events), hash);
}
