// D-PSGD (Lian, Zhang, Zhang, Hsieh, Zhang, Liu, NeurIPS 2017) on binary
// logistic regression, against the same math written in vectorized numpy
// (../shared/anchors/numpy_dpsgd.py, issue 15): scenarios/quickstart.toml
// scaled to N nodes with m stored samples each (d features, batch b, R
// rounds, ring with Metropolis weights, 1 ms / 1 Gbps links), run through the
// scenario builder as `dlsim run` builds it, simulated time, messages and
// events included, but with no metrics during the run (numpy has none):
// the test accuracy of the average model (10,000 test samples) and the
// consensus distance are computed once, after the timed rounds, in both.
//
// Usage: bench_dpsgd [--nodes N] [--samples-per-node m] [--features d] [--batch b]
//          [--rounds R] [--threads T[,T...]] [--repeat K] [--scenario FILE]
//          [--numpy FILE | --no-numpy] [--python EXE]
// Each repetition runs dlsim once per thread count and then numpy once, each
// in a fresh process (interleaved, so that the machine's load hits them
// alike); repetition k uses seed k for dlsim (numpy_dpsgd.py --repeat 1
// always draws its seed 1). One line per run: node-rounds per second over
// the rounds alone (setup excluded in both), and the run's figures; then
// the medians and the ratios dlsim / numpy, as the median of the ratios of
// each repetition (measured side by side) and as the ratio of the medians.
// The checksum of the final models must be the same for every thread count.
#include <fmt/core.h>

#include <bit>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "metrics/evaluation.hpp"
#include "scenario/experiment.hpp"
#include "scenario/experiment_builder.hpp"
#include "sim/engine.hpp"

using namespace dlsim;

namespace {

constexpr const char* kProgram = "bench_dpsgd";
constexpr std::size_t kTestSamples = 10'000;

struct Options {
  std::uint32_t nodes = 1000;
  std::size_t samples_per_node = 64;
  std::size_t features = 50;
  std::size_t batch = 32;
  std::uint64_t rounds = 200;
  std::vector<int> threads;
  int repeat = 5;
  std::uint64_t seed = 1;  // the child's
  std::string scenario = "scenarios/quickstart.toml";
  std::string numpy;  // empty: look for it; "-": none
  std::string python = "/usr/bin/python3";
};

struct RunResult {
  double setup_seconds = 0;
  double wall_seconds = 0;
  double cpu_seconds = 0;  // the process's user + system time during the rounds
  double node_rounds_per_second = 0;
  std::uint64_t events = 0;
  std::uint64_t messages = 0;
  double simulated_seconds = 0;
  double test_accuracy = 0;
  double consensus_distance = 0;
  std::uint64_t checksum_bits = 0;
};

[[noreturn]] void usage_error(const std::string& message) { bench::usage_error(kProgram, message); }

double parse_number(const std::string& flag, const std::string& text) { return bench::parse_number(kProgram, flag, text); }

// One D-PSGD run in this process.
RunResult run_case(const Options& options, int threads) {
  const auto setup_start = std::chrono::steady_clock::now();
  const std::vector<std::string> overrides{
      fmt::format("seed={}", options.seed),
      fmt::format("nodes={}", options.nodes),
      fmt::format("data.samples={}", static_cast<std::size_t>(options.nodes) * options.samples_per_node),
      fmt::format("data.test_samples={}", kTestSamples),
      fmt::format("data.features={}", options.features),
      fmt::format("algorithm.batch_size={}", options.batch),
      fmt::format("stop.rounds={}", options.rounds)};
  const Scenario scenario = load_scenario(options.scenario, overrides, scenario_schema());
  Experiment experiment = build_experiment(scenario, threads);
  if (experiment.algorithm == nullptr || experiment.nodes != options.nodes)
    usage_error(options.scenario + " is not a decentralized scenario");
  const std::unique_ptr<LearningBehaviour> behaviour = experiment.make_behaviour(experiment, nullptr);
  std::unique_ptr<Engine> engine = std::make_unique<Engine>(experiment.engine);
  engine->set_behaviour_all(behaviour.get());

  RunResult result;
  const double cpu_before = bench::cpu_seconds();
  const auto started = std::chrono::steady_clock::now();
  result.setup_seconds = std::chrono::duration<double>(started - setup_start).count();
  while (engine->run_until(kNever - 1) == RunOutcome::stop_requested) {
  }
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.cpu_seconds = bench::cpu_seconds() - cpu_before;
  result.node_rounds_per_second = static_cast<double>(options.nodes) * static_cast<double>(options.rounds) /
                                  result.wall_seconds;
  result.events = engine->stats().events;
  result.messages = engine->total_counters().messages_sent;
  result.simulated_seconds = to_seconds(engine->stats().last_event_time);
  for (NodeId node = 0; node < options.nodes; ++node)
    if (behaviour->rounds_completed(node) != options.rounds)
      usage_error(fmt::format("node {} completed {} rounds, not {}", node, behaviour->rounds_completed(node),
                              options.rounds));

  std::vector<std::vector<double>> models;
  double checksum = 0;  // in node order: the same for every thread count
  for (NodeId node = 0; node < options.nodes; ++node) {
    const std::span<const double> x = behaviour->model(node);
    models.emplace_back(x.begin(), x.end());
    double sum = 0;
    for (double value : x) sum += value;
    checksum += sum;
  }
  result.checksum_bits = std::bit_cast<std::uint64_t>(checksum);
  const ModelEvaluation evaluation =
      evaluate_models(models, *experiment.model, *experiment.train, experiment.test.get());
  result.test_accuracy = evaluation.test_accuracy;
  result.consensus_distance = evaluation.consensus_distance;
  engine.reset();  // joins any task before the behaviour goes
  return result;
}

std::string case_flags(const Options& options) {
  return fmt::format("--nodes {} --samples-per-node {} --features {} --batch {} --rounds {}", options.nodes,
                     options.samples_per_node, options.features, options.batch, options.rounds);
}

RunResult run_child(const Options& options, int threads, std::uint64_t seed) {
  const std::string command = fmt::format("'{}' --case {} --threads {} --seed {} --scenario '{}'",
                                          bench::executable_path(kProgram), case_flags(options), threads, seed,
                                          options.scenario);
  const std::string line = bench::child_result(kProgram, command, fmt::format("dlsim threads={}", threads));
  RunResult r;
  unsigned long long events = 0, messages = 0, checksum = 0;
  if (std::sscanf(line.c_str(),
                  "setup=%lf wall=%lf cpu=%lf rate=%lf events=%llu messages=%llu simulated=%lf accuracy=%lf "
                  "consensus=%lf checksum=%llx",
                  &r.setup_seconds, &r.wall_seconds, &r.cpu_seconds, &r.node_rounds_per_second, &events, &messages,
                  &r.simulated_seconds, &r.test_accuracy, &r.consensus_distance, &checksum) != 10)
    usage_error("cannot read the result line: " + line);
  r.events = events;
  r.messages = messages;
  r.checksum_bits = checksum;
  return r;
}

// numpy_dpsgd.py --repeat 1: its first line's figures.
RunResult run_numpy(const Options& options) {
  const std::string command = fmt::format("'{}' '{}' {} --repeat 1", options.python, options.numpy, case_flags(options));
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) usage_error("cannot start " + command);
  RunResult r;
  bool found = false;
  char buffer[2048];
  while (std::fgets(buffer, sizeof buffer, pipe)) {
    const std::string line = buffer;
    const auto value = [&](const std::string& key) {
      const std::size_t at = line.find(" " + key + "=");
      if (at == std::string::npos) usage_error("numpy printed no " + key + ": " + line);
      return std::strtod(line.c_str() + at + key.size() + 2, nullptr);
    };
    if (line.find("rounds_wall=") == std::string::npos) continue;
    found = true;
    r.setup_seconds = value("setup");
    r.wall_seconds = value("rounds_wall");
    r.node_rounds_per_second = value("node_rounds_per_s");
    r.test_accuracy = value("test_acc");
    r.consensus_distance = value("consensus_dist");
  }
  const int status = pclose(pipe);
  if (status != 0 || !found) usage_error(fmt::format("{} failed (status {})", command, status));
  return r;
}

// The anchor: --numpy, else ../shared/anchors/numpy_dpsgd.py from the
// working folder or one of its parents (the main checkout's sibling).
std::string find_numpy() {
  namespace fs = std::filesystem;
  for (fs::path folder = fs::current_path(); !folder.empty(); folder = folder.parent_path()) {
    const fs::path candidate = folder / "shared" / "anchors" / "numpy_dpsgd.py";
    if (fs::exists(candidate)) return candidate.string();
    if (folder == folder.parent_path()) break;
  }
  return {};
}

Options parse(int argc, char** argv, bool& child) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      fmt::print(
          "usage: bench_dpsgd [--nodes N] [--samples-per-node m] [--features d] [--batch b] [--rounds R]\n"
          "         [--threads T[,T...]] [--repeat K] [--scenario FILE] [--numpy FILE | --no-numpy] [--python EXE]\n"
          "defaults: --nodes 1000 --samples-per-node 64 --features 50 --batch 32 --rounds 200 --threads 1,2\n"
          "          --repeat 5 --scenario scenarios/quickstart.toml --python /usr/bin/python3\n"
          "          --numpy: shared/anchors/numpy_dpsgd.py in the working folder or a parent\n");
      std::exit(0);
    }
    if (flag == "--case") {
      child = true;
      continue;
    }
    if (flag == "--no-numpy") {
      options.numpy = "-";
      continue;
    }
    if (i + 1 >= argc) usage_error(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--nodes") options.nodes = static_cast<std::uint32_t>(parse_number(flag, value));
    else if (flag == "--samples-per-node") options.samples_per_node = static_cast<std::size_t>(parse_number(flag, value));
    else if (flag == "--features") options.features = static_cast<std::size_t>(parse_number(flag, value));
    else if (flag == "--batch") options.batch = static_cast<std::size_t>(parse_number(flag, value));
    else if (flag == "--rounds") options.rounds = static_cast<std::uint64_t>(parse_number(flag, value));
    else if (flag == "--threads") bench::parse_list(kProgram, flag, value, options.threads);
    else if (flag == "--repeat") options.repeat = std::max(1, static_cast<int>(parse_number(flag, value)));
    else if (flag == "--seed") options.seed = static_cast<std::uint64_t>(parse_number(flag, value));
    else if (flag == "--scenario") options.scenario = value;
    else if (flag == "--numpy") options.numpy = value;
    else if (flag == "--python") options.python = value;
    else usage_error("unknown option " + flag);
  }
  if (options.threads.empty()) options.threads = {1, 2};
  for (int t : options.threads)
    if (t < 1) usage_error("--threads must be at least 1");
  if (options.nodes < 3 || options.features == 0 || options.batch == 0 || options.rounds == 0 ||
      options.samples_per_node < options.batch)
    usage_error("needs --nodes >= 3, --features, --batch and --rounds > 0, --samples-per-node >= --batch");
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  bool child = false;
  Options options = parse(argc, argv, child);
  if (child) {
    const RunResult r = run_case(options, options.threads.front());
    fmt::print("result setup={:.6f} wall={:.6f} cpu={:.6f} rate={:.1f} events={} messages={} simulated={:.9f} accuracy={:.6f} "
               "consensus={:.6e} checksum={:016x}\n",
               r.setup_seconds, r.wall_seconds, r.cpu_seconds, r.node_rounds_per_second, r.events, r.messages,
               r.simulated_seconds, r.test_accuracy, r.consensus_distance, r.checksum_bits);
    return 0;
  }
  if (options.numpy.empty()) {
    options.numpy = find_numpy();
    if (options.numpy.empty()) usage_error("cannot find shared/anchors/numpy_dpsgd.py; give --numpy FILE or --no-numpy");
  }
  const bool with_numpy = options.numpy != "-";

  fmt::print("# D-PSGD logistic regression: {} nodes x {} samples, d = {}, batch {}, {} rounds ({} with overrides); "
             "rounds timed alone; each run in its own process, interleaved; load (1 min) {:.2f}\n",
             options.nodes, options.samples_per_node, options.features, options.batch, options.rounds,
             options.scenario, bench::load_average());
  std::fflush(stdout);
  std::map<int, std::vector<double>> rates;   // per thread count
  std::map<int, std::vector<double>> ratios;  // per thread count: dlsim / numpy of the same repetition
  std::vector<double> numpy_rates;
  bool identical = true;
  for (int k = 1; k <= options.repeat; ++k) {
    std::uint64_t checksum = 0;
    std::map<int, double> this_round;
    for (std::size_t t = 0; t < options.threads.size(); ++t) {
      const int threads = options.threads[t];
      const RunResult r = run_child(options, threads, static_cast<std::uint64_t>(k));
      if (t == 0) checksum = r.checksum_bits;
      else identical = identical && r.checksum_bits == checksum;
      fmt::print("dlsim threads={} seed={} setup_s={:.3f} rounds_wall_s={:.3f} rounds_cpu_s={:.3f} node_rounds_per_s={:.0f} "
                 "events={} messages={} simulated_s={:.4f} test_acc={:.4f} consensus_dist={:.3e} checksum={:016x}\n",
                 threads, k, r.setup_seconds, r.wall_seconds, r.cpu_seconds, r.node_rounds_per_second, r.events, r.messages,
                 r.simulated_seconds, r.test_accuracy, r.consensus_distance, r.checksum_bits);
      std::fflush(stdout);
      rates[threads].push_back(r.node_rounds_per_second);
      this_round[threads] = r.node_rounds_per_second;
    }
    if (!with_numpy) continue;
    const RunResult n = run_numpy(options);
    fmt::print("numpy seed=1 setup_s={:.3f} rounds_wall_s={:.3f} node_rounds_per_s={:.0f} test_acc={:.4f} "
               "consensus_dist={:.3e}\n",
               n.setup_seconds, n.wall_seconds, n.node_rounds_per_second, n.test_accuracy, n.consensus_distance);
    std::fflush(stdout);
    numpy_rates.push_back(n.node_rounds_per_second);
    for (const auto& [threads, rate] : this_round) ratios[threads].push_back(rate / n.node_rounds_per_second);
  }
  fmt::print("# medians of {} repetitions (load (1 min) now {:.2f})\n", options.repeat, bench::load_average());
  for (const auto& [threads, values] : rates)
    fmt::print("dlsim threads={} median node_rounds_per_s={:.0f}\n", threads, bench::median(values));
  if (with_numpy) {
    const double numpy_median = bench::median(numpy_rates);
    fmt::print("numpy median node_rounds_per_s={:.0f}\n", numpy_median);
    for (const auto& [threads, values] : ratios)
      fmt::print("ratio dlsim threads={} / numpy: {:.2f} (median of the side-by-side ratios; min {:.2f}, max {:.2f}); "
                 "{:.2f} (ratio of the medians)\n",
                 threads, bench::median(values), *std::min_element(values.begin(), values.end()),
                 *std::max_element(values.begin(), values.end()), bench::median(rates[threads]) / numpy_median);
  }
  if (options.threads.size() > 1)
    fmt::print("# final models {} across thread counts\n", identical ? "bit-identical" : "DIFFER");
  return identical ? 0 : 1;
}
