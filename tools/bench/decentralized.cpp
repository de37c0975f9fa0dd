// CHOCO-SGD at scale (issue 6's performance target): the ICML 2019 variant
// (Koloskova, Stich, Jaggi, Algorithm 2) with top-k compression on binary
// logistic regression, on a random 8-regular graph with Metropolis weights,
// 1 ms latency and 1 Gbps up and down per node. Nothing is stored per node but
// the algorithm's state: each minibatch is generated on demand from the node's
// own random stream (data/on_demand.hpp), a ~ N(0, I) in R^d and
// y = sign(<w*, a>) flipped with probability 0.05, w* fixed by the seed. No
// snapshots and no metrics during the run.
//
// Usage: bench_decentralized [--nodes N[,N...]]... [--threads T[,T...]] [--rounds R] [--dim D]
//          [--batch B] [--ratio r] [--repeat K] [--lr eta] [--gamma g] [--seed s] [--evaluate]
//          [--features rademacher|normal]   (how generated samples' features are drawn)
// Every (nodes, threads) case runs K times, each run in a fresh process (this
// executable again, with --case), so that each peak RSS (getrusage ru_maxrss)
// is that run's alone. One line per case: wall seconds of the run (median of
// K; min and max), events, events/s, peak RSS, the bytes CHOCO's per-node
// vectors need (x, x_hat, s and the gradient buffer: 4 d doubles per node) and
// the ratio of the two, and a checksum of the final models (the sum over nodes,
// in node order, of the sum of x_i) as the bits of a double, which must be the
// same for every thread count; also the process's CPU seconds (user + system,
// median) and the 1-minute load average, since the machine may be shared.
// --evaluate adds the test accuracy of the
// average model on 10,000 fresh samples of the same distribution.
#include <fmt/core.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "algorithms/decentralized/choco.hpp"
#include "bench_support.hpp"
#include "algorithms/decentralized/mixing_rows.hpp"
#include "compress/factory.hpp"
#include "data/on_demand.hpp"
#include "models/logistic.hpp"
#include "sim/engine.hpp"
#include "sim/random.hpp"
#include "topologies/generators.hpp"
#include "topologies/mixing.hpp"

using namespace dlsim;

namespace {

constexpr std::size_t kDegree = 8;
constexpr double kFlipProbability = 0.05;
constexpr std::size_t kTestSamples = 10'000;

struct Options {
  std::vector<std::uint32_t> nodes;
  std::vector<int> threads;
  std::uint64_t rounds = 100;
  std::size_t dim = 1000;
  std::size_t batch = 32;
  double ratio = 0.01;
  int repeat = 1;
  double learning_rate = 0.1;
  double gamma = 0.05;
  std::uint64_t seed = 1;
  bool evaluate = false;
  FeatureDistribution features = FeatureDistribution::rademacher;
};

// What one run measured (printed by the child as one "result" line).
struct RunResult {
  double setup_seconds = 0;
  double wall_seconds = 0;
  std::uint64_t events = 0;
  long peak_rss_kib = 0;
  double cpu_seconds = 0;  // user + system time of the whole process
  std::uint64_t checksum_bits = 0;
  double accuracy = -1;  // < 0: not evaluated
};

constexpr const char* kProgram = "bench_decentralized";

[[noreturn]] void usage_error(const std::string& message) { bench::usage_error(kProgram, message); }

double parse_number(const std::string& flag, const std::string& text) { return bench::parse_number(kProgram, flag, text); }

template <typename T>
void parse_list(const std::string& flag, const std::string& text, std::vector<T>& out) {
  bench::parse_list(kProgram, flag, text, out);
}

// One run of CHOCO-SGD with `nodes` nodes on `threads` threads, in this process.
RunResult run_case(const Options& options, std::uint32_t nodes, int threads) {
  const auto setup_start = std::chrono::steady_clock::now();
  const std::size_t d = options.dim;
  RandomStream w_stream(options.seed, 0, purpose_id("bench.w_star"));
  auto w_star = std::make_shared<const std::vector<double>>(logistic_direction(d, w_stream));

  DecentralizedConfig config;
  config.nodes = nodes;
  config.seed = options.seed;
  config.rounds = options.rounds;
  {
    const SparseMatrix w =
        mixing_matrix(random_regular_graph(nodes, kDegree, options.seed), MixingRule::metropolis);
    config.mixing = fixed_mixing(w);
  }
  auto model = std::make_shared<LogisticRegression>(d);
  config.model = model;
  config.batches.generate = make_logistic_generator(w_star, kFlipProbability, options.features);
  config.batches.generated_dim = d;
  config.batch_size = options.batch;
  config.optimizer.schedule.base = options.learning_rate;
  config.compressor = make_compressor("top-k", {{"ratio", options.ratio}});
  config.gamma = options.gamma;
  config.choco_variant = ChocoVariant::icml2019;
  Choco choco(std::move(config), nullptr, true);

  EngineConfig engine_config;
  engine_config.nodes = nodes;
  engine_config.seed = options.seed;
  engine_config.threads = threads;
  engine_config.network.latency.base = kMillisecond;
  engine_config.network.uplink_bps.assign(nodes, 1'000'000'000);
  engine_config.network.downlink_bps.assign(nodes, 1'000'000'000);
  Engine engine(engine_config);
  engine.set_behaviour_all(&choco);

  RunResult result;
  const auto started = std::chrono::steady_clock::now();
  result.setup_seconds = std::chrono::duration<double>(started - setup_start).count();
  while (engine.run_until(kNever - 1) == RunOutcome::stop_requested) {
  }
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.events = engine.stats().events;
  result.peak_rss_kib = bench::peak_rss_kib();
  result.cpu_seconds = bench::cpu_seconds();
  for (NodeId node = 0; node < nodes; ++node)
    if (choco.rounds_completed(node) != options.rounds)
      usage_error(fmt::format("node {} completed {} rounds, not {}", node, choco.rounds_completed(node),
                              options.rounds));

  // Sums in node order, so the checksum is the same for every thread count.
  double checksum = 0;
  for (NodeId node = 0; node < nodes; ++node) {
    double sum = 0;
    for (double value : choco.model(node)) sum += value;
    checksum += sum;
  }
  result.checksum_bits = std::bit_cast<std::uint64_t>(checksum);

  if (options.evaluate) {
    std::vector<double> average(d, 0.0);
    for (NodeId node = 0; node < nodes; ++node) {
      const auto x = choco.model(node);
      for (std::size_t k = 0; k < d; ++k) average[k] += x[k];
    }
    for (double& value : average) value /= static_cast<double>(nodes);
    RandomStream test_stream(options.seed, 0, purpose_id("bench.test_set"));
    Dataset test;
    generate_logistic(*w_star, kFlipProbability, kTestSamples, test_stream, test, options.features);
    std::vector<std::uint32_t> rows(test.size());
    std::iota(rows.begin(), rows.end(), 0u);
    const auto workspace = model->make_workspace();
    result.accuracy = model->accuracy(average, test, rows, *workspace);
  }
  return result;
}

// Runs one case in a child process (this executable with --case) and reads its result line.
RunResult run_child(const Options& options, std::uint32_t nodes, int threads) {
  const std::string command = fmt::format(
      "'{}' --case --nodes {} --threads {} --rounds {} --dim {} --batch {} --ratio {} --lr {} --gamma {} "
      "--seed {} --features {}{}",
      bench::executable_path(kProgram), nodes, threads, options.rounds, options.dim, options.batch, options.ratio,
      options.learning_rate, options.gamma, options.seed,
      options.features == FeatureDistribution::normal ? "normal" : "rademacher", options.evaluate ? " --evaluate" : "");
  const std::string line =
      bench::child_result(kProgram, command, fmt::format("case nodes={} threads={}", nodes, threads));
  RunResult result;
  unsigned long long events = 0, checksum = 0;
  if (std::sscanf(line.c_str(), "setup=%lf wall=%lf cpu=%lf events=%llu peak_kib=%ld checksum=%llx accuracy=%lf",
                    &result.setup_seconds, &result.wall_seconds, &result.cpu_seconds, &events,
                    &result.peak_rss_kib, &checksum, &result.accuracy) != 7)
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
          "usage: bench_decentralized [--nodes N[,N...]]... [--threads T[,T...]] [--rounds R] [--dim D]\n"
          "         [--batch B] [--ratio r] [--repeat K] [--lr eta] [--gamma g] [--seed s] [--evaluate]\n"
          "         [--features rademacher|normal]\n"
          "defaults: --nodes 1000,10000,100000 --threads 1,2 --rounds 100 --dim 1000 --batch 32\n"
          "          --ratio 0.01 --repeat 1 --lr 0.1 --gamma 0.05 --seed 1 --features rademacher\n");
      std::exit(0);
    }
    if (flag == "--case") {
      child = true;
      continue;
    }
    if (flag == "--evaluate") {
      options.evaluate = true;
      continue;
    }
    if (i + 1 >= argc) usage_error(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--nodes") parse_list(flag, value, options.nodes);
    else if (flag == "--threads") parse_list(flag, value, options.threads);
    else if (flag == "--rounds") options.rounds = static_cast<std::uint64_t>(parse_number(flag, value));
    else if (flag == "--dim") options.dim = static_cast<std::size_t>(parse_number(flag, value));
    else if (flag == "--batch") options.batch = static_cast<std::size_t>(parse_number(flag, value));
    else if (flag == "--ratio") options.ratio = parse_number(flag, value);
    else if (flag == "--repeat") options.repeat = std::max(1, static_cast<int>(parse_number(flag, value)));
    else if (flag == "--lr") options.learning_rate = parse_number(flag, value);
    else if (flag == "--gamma") options.gamma = parse_number(flag, value);
    else if (flag == "--seed") options.seed = static_cast<std::uint64_t>(parse_number(flag, value));
    else if (flag == "--features") {
      if (value != "normal" && value != "rademacher") usage_error("--features must be normal or rademacher");
      options.features = value == "normal" ? FeatureDistribution::normal : FeatureDistribution::rademacher;
    }
    else usage_error("unknown option " + flag);
  }
  if (options.nodes.empty()) options.nodes = {1000, 10'000, 100'000};
  if (options.threads.empty()) options.threads = {1, 2};
  for (std::uint32_t n : options.nodes)
    if (n <= kDegree) usage_error(fmt::format("--nodes must be above the degree {}", kDegree));
  for (int t : options.threads)
    if (t < 1) usage_error("--threads must be at least 1");
  if (options.dim == 0 || options.batch == 0) usage_error("--dim and --batch must be positive");
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  bool child = false;
  const Options options = parse(argc, argv, child);
  if (child) {
    const RunResult r = run_case(options, options.nodes.front(), options.threads.front());
    fmt::print("result setup={:.6f} wall={:.6f} cpu={:.6f} events={} peak_kib={} checksum={:016x} accuracy={:.6f}\n",
               r.setup_seconds, r.wall_seconds, r.cpu_seconds, r.events, r.peak_rss_kib, r.checksum_bits,
               r.accuracy);
    return 0;
  }

  fmt::print("# CHOCO-SGD (ICML 2019) top-k ratio {} | logistic d={} batch={} | random {}-regular, metropolis | "
             "1 ms, 1 Gbps | lr {} gamma {} seed {} | each run in its own process\n",
             options.ratio, options.dim, options.batch, kDegree, options.learning_rate, options.gamma,
             options.seed);
  std::fflush(stdout);
  std::map<std::uint32_t, std::vector<std::uint64_t>> checksums;  // per node count, one per thread count
  for (std::uint32_t nodes : options.nodes) {
    for (int threads : options.threads) {
      std::vector<RunResult> runs;
      for (int k = 0; k < options.repeat; ++k) runs.push_back(run_child(options, nodes, threads));
      std::vector<double> walls, cpus;
      long peak_kib = 0;
      for (const RunResult& r : runs) {
        walls.push_back(r.wall_seconds);
        cpus.push_back(r.cpu_seconds);
        peak_kib = std::max(peak_kib, r.peak_rss_kib);
        if (r.checksum_bits != runs.front().checksum_bits)
          fmt::print("# WARNING: repeated runs of nodes={} threads={} differ\n", nodes, threads);
      }
      std::sort(walls.begin(), walls.end());
      const double median = bench::median(walls);
      const double load = bench::load_average();
      // x, x_hat, s and the gradient buffer: 4 d doubles per node.
      const double state_bytes = 4.0 * static_cast<double>(options.dim) * sizeof(double) * nodes;
      const double peak_bytes = static_cast<double>(peak_kib) * 1024.0;
      std::string accuracy;
      if (options.evaluate) accuracy = fmt::format(" test_accuracy={:.4f}", runs.front().accuracy);
      fmt::print(
          "nodes={} threads={} rounds={} wall_s={:.2f} (median of {}; min {:.2f}, max {:.2f}) cpu_s={:.2f} "
          "setup_s={:.2f} events={} events_per_s={:.0f} peak_rss={:.0f}MiB node_state={:.0f}MiB rss/state={:.2f} "
          "checksum={:016x}{} load1={:.2f}\n",
          nodes, threads, options.rounds, median, runs.size(), walls.front(), walls.back(), bench::median(cpus),
          runs.front().setup_seconds, runs.front().events, static_cast<double>(runs.front().events) / median,
          peak_bytes / (1 << 20), state_bytes / (1 << 20), peak_bytes / state_bytes, runs.front().checksum_bits,
          accuracy, load);
      std::fflush(stdout);
      checksums[nodes].push_back(runs.front().checksum_bits);
    }
  }
  for (const auto& [nodes, sums] : checksums)
    if (sums.size() > 1)
      fmt::print("# nodes={}: checksums {} across thread counts\n", nodes,
                 // No lambda: clang 14 (the sanitizer build) cannot capture a structured binding.
                 std::adjacent_find(sums.begin(), sums.end(), std::not_equal_to<>()) == sums.end()
                     ? "bit-identical"
                     : "DIFFER");
}
