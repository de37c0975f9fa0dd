// FedAvg at scale (issue 12's performance target; McMahan, Moore, Ramage,
// Hampson, Aguera y Arcas, AISTATS 2017): binary logistic regression in
// d = 1000, 10^6 registered clients of which 10^4 are drawn uniformly each
// round, 5 local SGD steps of batch 32, exact fp64 updates averaged by the
// server, 100 rounds. Nothing is stored per client but its table row: each
// minibatch is generated on demand from the client's own random stream
// (data/on_demand.hpp; a uniform on {-1, +1}^d, y = sign(<w*, a>) flipped
// with probability 0.05, w* fixed by the seed). Clients have 100 Mbit/s links
// 10 ms from a 10 Gbit/s server. No snapshots and no metrics during the run.
//
// Usage: bench_federated [--clients N[,N...]] [--threads T[,T...]] [--rounds R] [--per-round K]
//          [--steps S] [--dim D] [--batch B] [--repeat K] [--lr eta] [--seed s] [--evaluate]
//          [--idle]
// Every (clients, threads) case runs `repeat` times, each in a fresh process
// (this executable again, with --case), so that each peak RSS (getrusage
// ru_maxrss) is that run's alone. One line per case: wall seconds of the run
// (median; min, max), CPU seconds, events, peak RSS, the table's own
// accounting of an idle client (summary figure idle_client_bytes) and a
// checksum of the server model (its bits), which must not depend on the
// thread count; the 1-minute load average, since the machine may be shared.
// --idle measures what an idle client costs in the whole process: the same
// set-up (engine, server, client tables) with 0 rounds, for N and N / 10
// clients: (RSS(N) - RSS(N / 10)) / (0.9 N) bytes per client, with the RSS
// once everything is built and at its peak (the engine's start events).
// --evaluate adds the server model's accuracy on 10,000 fresh samples.
#include <fmt/core.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "algorithms/federated/registry.hpp"
#include "algorithms/federated/synchronous_rounds.hpp"
#include "bench_support.hpp"
#include "data/on_demand.hpp"
#include "models/logistic.hpp"
#include "sim/engine.hpp"
#include "sim/random.hpp"

using namespace dlsim;

namespace {

constexpr const char* kProgram = "bench_federated";
constexpr double kFlipProbability = 0.05;
constexpr std::size_t kTestSamples = 10'000;
constexpr std::int64_t kClientBandwidth = 100'000'000;
constexpr std::int64_t kServerBandwidth = 10'000'000'000;
constexpr SimTime kClientLatency = 10 * kMillisecond;

struct Options {
  std::vector<std::uint32_t> clients;
  std::vector<int> threads;
  std::uint64_t rounds = 100;
  std::uint32_t per_round = 10'000;
  std::uint64_t steps = 5;
  std::size_t dim = 1000;
  std::size_t batch = 32;
  int repeat = 1;
  double learning_rate = 0.1;
  std::uint64_t seed = 1;
  bool evaluate = false;
  bool idle = false;
};

struct RunResult {
  double setup_seconds = 0;
  double wall_seconds = 0;
  double cpu_seconds = 0;
  std::uint64_t events = 0;
  long peak_rss_kib = 0;
  long setup_rss_kib = 0;  // resident after building the engine and the behaviour, before any event
  double idle_client_bytes = 0;  // the behaviour's own accounting
  std::uint64_t checksum_bits = 0;
  double accuracy = -1;
};

[[noreturn]] void usage_error(const std::string& message) {
  bench::usage_error(kProgram, message);
}

double parse_number(const std::string& flag, const std::string& text) {
  return bench::parse_number(kProgram, flag, text);
}

RunResult run_case(const Options& options, std::uint32_t clients, int threads) {
  const auto setup_start = std::chrono::steady_clock::now();
  const std::size_t d = options.dim;
  RandomStream w_stream(options.seed, 0, purpose_id("bench.w_star"));
  auto w_star = std::make_shared<const std::vector<double>>(logistic_direction(d, w_stream));
  auto model = std::make_shared<LogisticRegression>(d);

  FederatedConfig config;
  config.clients = clients;
  config.seed = options.seed;
  config.rounds = options.rounds;
  config.model = model;
  config.batches.generate =
      make_logistic_generator(w_star, kFlipProbability, FeatureDistribution::rademacher);
  config.batches.generated_dim = d;
  config.batch_size = options.batch;
  config.local.schedule.base = options.learning_rate;
  config.local_steps = options.steps;
  config.cohort.clients_per_round = std::min(options.per_round, clients);
  config.weighting = UpdateWeighting::uniform;
  auto behaviour = find_federated_algorithm("fedavg").make(std::move(config), nullptr);
  auto& fedavg = dynamic_cast<SynchronousFederated&>(*behaviour);

  EngineConfig engine_config;
  engine_config.nodes = clients + 1;  // the server is node `clients`
  engine_config.seed = options.seed;
  engine_config.threads = threads;
  engine_config.network.latency.base = kClientLatency;
  engine_config.network.uplink_bps.assign(clients + 1, kClientBandwidth);
  engine_config.network.downlink_bps.assign(clients + 1, kClientBandwidth);
  engine_config.network.uplink_bps.back() = engine_config.network.downlink_bps.back() =
      kServerBandwidth;
  Engine engine(engine_config);
  engine.set_behaviour_all(&fedavg);

  RunResult result;
  result.setup_rss_kib = bench::current_rss_kib();
  const auto started = std::chrono::steady_clock::now();
  result.setup_seconds = std::chrono::duration<double>(started - setup_start).count();
  while (engine.run_until(kNever - 1) == RunOutcome::stop_requested) {
  }
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.cpu_seconds = bench::cpu_seconds();
  result.events = engine.stats().events;
  result.peak_rss_kib = bench::peak_rss_kib();
  if (fedavg.rounds_completed(0) != options.rounds)
    usage_error(fmt::format("the server completed {} rounds, not {}", fedavg.rounds_completed(0),
                            options.rounds));
  for (const auto& [name, value] : fedavg.summary_figures())
    if (name == "idle_client_bytes") result.idle_client_bytes = value;
  double checksum = 0;
  for (double value : fedavg.model(0)) checksum += value;
  result.checksum_bits = std::bit_cast<std::uint64_t>(checksum);

  if (options.evaluate) {
    RandomStream test_stream(options.seed, 0, purpose_id("bench.test_set"));
    Dataset test;
    generate_logistic(*w_star, kFlipProbability, kTestSamples, test_stream, test,
                      FeatureDistribution::rademacher);
    std::vector<std::uint32_t> rows(test.size());
    std::iota(rows.begin(), rows.end(), 0u);
    const auto workspace = model->make_workspace();
    result.accuracy = model->accuracy(fedavg.model(0), test, rows, *workspace);
  }
  return result;
}

// Runs one case in a child process (this executable with --case) and reads its result line.
RunResult run_child(const Options& options, std::uint32_t clients, int threads,
                    std::uint64_t rounds) {
  const std::string command = fmt::format(
      "'{}' --case --clients {} --threads {} --rounds {} --per-round {} --steps {} --dim {} "
      "--batch {} --lr {} "
      "--seed {}{}",
      bench::executable_path(kProgram), clients, threads, rounds, options.per_round, options.steps,
      options.dim, options.batch, options.learning_rate, options.seed,
      options.evaluate ? " --evaluate" : "");
  const std::string line = bench::child_result(
      kProgram, command, fmt::format("case clients={} threads={}", clients, threads));
  RunResult result;
  unsigned long long events = 0, checksum = 0;
  if (std::sscanf(
          line.c_str(),
          "setup=%lf wall=%lf cpu=%lf events=%llu peak_kib=%ld setup_kib=%ld idle_bytes=%lf "
          "checksum=%llx accuracy=%lf",
          &result.setup_seconds, &result.wall_seconds, &result.cpu_seconds, &events,
          &result.peak_rss_kib, &result.setup_rss_kib, &result.idle_client_bytes, &checksum,
          &result.accuracy) != 9)
    usage_error("cannot read the result line: " + line);
  result.events = events;
  result.checksum_bits = checksum;
  return result;
}

Options parse(int argc, char** argv, bool& child) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      fmt::print(
          "usage: bench_federated [--clients N[,N...]] [--threads T[,T...]] [--rounds R] "
          "[--per-round K]\n"
          "         [--steps S] [--dim D] [--batch B] [--repeat K] [--lr eta] [--seed s] "
          "[--evaluate] [--idle]\n"
          "defaults: --clients 1000000 --threads 1,2 --rounds 100 --per-round 10000 --steps 5 "
          "--dim 1000\n"
          "          --batch 32 --repeat 1 --lr 0.1 --seed 1\n");
      std::exit(0);
    }
    if (flag == "--case" || flag == "--evaluate" || flag == "--idle") {
      (flag == "--case" ? child : flag == "--idle" ? options.idle : options.evaluate) = true;
      continue;
    }
    if (i + 1 >= argc) usage_error(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--clients")
      bench::parse_list(kProgram, flag, value, options.clients);
    else if (flag == "--threads")
      bench::parse_list(kProgram, flag, value, options.threads);
    else if (flag == "--rounds")
      options.rounds = static_cast<std::uint64_t>(parse_number(flag, value));
    else if (flag == "--per-round")
      options.per_round = static_cast<std::uint32_t>(parse_number(flag, value));
    else if (flag == "--steps")
      options.steps = static_cast<std::uint64_t>(parse_number(flag, value));
    else if (flag == "--dim")
      options.dim = static_cast<std::size_t>(parse_number(flag, value));
    else if (flag == "--batch")
      options.batch = static_cast<std::size_t>(parse_number(flag, value));
    else if (flag == "--repeat")
      options.repeat = std::max(1, static_cast<int>(parse_number(flag, value)));
    else if (flag == "--lr")
      options.learning_rate = parse_number(flag, value);
    else if (flag == "--seed")
      options.seed = static_cast<std::uint64_t>(parse_number(flag, value));
    else
      usage_error("unknown option " + flag);
  }
  if (options.clients.empty()) options.clients = {1'000'000};
  if (options.threads.empty()) options.threads = {1, 2};
  for (std::uint32_t n : options.clients)
    if (n < 10) usage_error("--clients must be at least 10");
  for (int t : options.threads)
    if (t < 1) usage_error("--threads must be at least 1");
  if (options.dim == 0 || options.batch == 0 || options.steps == 0 || options.per_round == 0)
    usage_error("--dim, --batch, --steps and --per-round must be positive");
  return options;
}

void print_case(const Options& options, std::uint32_t clients, int threads,
                const std::vector<RunResult>& runs) {
  std::vector<double> walls, cpus;
  long peak_kib = 0;
  for (const RunResult& r : runs) {
    walls.push_back(r.wall_seconds);
    cpus.push_back(r.cpu_seconds);
    peak_kib = std::max(peak_kib, r.peak_rss_kib);
    if (r.checksum_bits != runs.front().checksum_bits)
      fmt::print("# WARNING: repeated runs of clients={} threads={} differ\n", clients, threads);
  }
  const double median = bench::median(walls);
  std::string accuracy;
  if (options.evaluate) accuracy = fmt::format(" test_accuracy={:.4f}", runs.front().accuracy);
  fmt::print(
      "clients={} threads={} rounds={} wall_s={:.2f} (median of {}; min {:.2f}, max {:.2f}) "
      "cpu_s={:.2f} "
      "setup_s={:.2f} events={} peak_rss={:.0f}MiB idle_client_bytes={:.0f} checksum={:016x}{} "
      "load1={:.2f}\n",
      clients, threads, options.rounds, median, runs.size(),
      *std::min_element(walls.begin(), walls.end()), *std::max_element(walls.begin(), walls.end()),
      bench::median(cpus), runs.front().setup_seconds, runs.front().events,
      static_cast<double>(peak_kib) / 1024.0, runs.front().idle_client_bytes,
      runs.front().checksum_bits, accuracy, bench::load_average());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  bool child = false;
  const Options options = parse(argc, argv, child);
  if (child) {
    const RunResult r = run_case(options, options.clients.front(), options.threads.front());
    fmt::print(
        "result setup={:.6f} wall={:.6f} cpu={:.6f} events={} peak_kib={} setup_kib={} "
        "idle_bytes={} "
        "checksum={:016x} accuracy={:.6f}\n",
        r.setup_seconds, r.wall_seconds, r.cpu_seconds, r.events, r.peak_rss_kib, r.setup_rss_kib,
        r.idle_client_bytes, r.checksum_bits, r.accuracy);
    return 0;
  }
  fmt::print(
      "# FedAvg | logistic d={} | {} per round, {} local steps of batch {}, lr {} | generated "
      "samples | "
      "clients 100 Mbps 10 ms, server 10 Gbps | seed {} | each run in its own process\n",
      options.dim, options.per_round, options.steps, options.batch, options.learning_rate,
      options.seed);
  std::fflush(stdout);
  if (options.idle) {
    // Set-up only: the whole process's RSS at N and N / 10 clients, after
    // building (the state an idle client keeps) and at its peak (with the
    // engine's start event per node, which passes through its queue).
    for (std::uint32_t clients : options.clients) {
      const std::uint32_t fewer = clients / 10;
      const RunResult many = run_child(options, clients, 1, 0),
                      few = run_child(options, fewer, 1, 0);
      const auto per_client = [&](long many_kib, long few_kib) {
        return static_cast<double>(many_kib - few_kib) * 1024.0 /
               static_cast<double>(clients - fewer);
      };
      fmt::print(
          "idle: clients={} / {}: built {:.0f} / {:.0f} MiB, peak {:.0f} / {:.0f} MiB: {:.0f} "
          "bytes per idle "
          "client built, {:.0f} at the peak (the federated tables' own accounting: {:.0f}) "
          "load1={:.2f}\n",
          clients, fewer, static_cast<double>(many.setup_rss_kib) / 1024.0,
          static_cast<double>(few.setup_rss_kib) / 1024.0,
          static_cast<double>(many.peak_rss_kib) / 1024.0,
          static_cast<double>(few.peak_rss_kib) / 1024.0,
          per_client(many.setup_rss_kib, few.setup_rss_kib),
          per_client(many.peak_rss_kib, few.peak_rss_kib), many.idle_client_bytes,
          bench::load_average());
    }
    return 0;
  }
  for (std::uint32_t clients : options.clients) {
    std::vector<double> medians;
    std::vector<std::uint64_t> checksums;
    for (int threads : options.threads) {
      std::vector<RunResult> runs;
      for (int k = 0; k < options.repeat; ++k)
        runs.push_back(run_child(options, clients, threads, options.rounds));
      print_case(options, clients, threads, runs);
      std::vector<double> walls;
      for (const RunResult& r : runs) walls.push_back(r.wall_seconds);
      medians.push_back(bench::median(walls));
      checksums.push_back(runs.front().checksum_bits);
    }
    // Against the fewest threads, whatever order they were run in.
    const std::size_t base = static_cast<std::size_t>(
        std::min_element(options.threads.begin(), options.threads.end()) - options.threads.begin());
    for (std::size_t i = 0; i < medians.size(); ++i)
      if (i != base)
        fmt::print("# clients={}: speedup {} -> {} threads: {:.2f}x\n", clients,
                   options.threads[base], options.threads[i], medians[base] / medians[i]);
    fmt::print("# clients={}: server model {} across thread counts\n", clients,
               std::adjacent_find(checksums.begin(), checksums.end(), std::not_equal_to<>()) ==
                       checksums.end()
                   ? "bit-identical"
                   : "DIFFER");
  }
}
