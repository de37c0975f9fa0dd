// Whole runs: reproducibility across thread counts, and exact gossip against
// its spectral rate.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "scenario/experiment.hpp"
#include "run_files.hpp"
#include "topologies/generators.hpp"
#include "topologies/mixing.hpp"
#include "topologies/spectral.hpp"

using namespace dlsim;
using dlsim::test::out_dir;
using dlsim::test::read_file;

namespace {

std::vector<std::vector<double>> read_csv(const std::string& path, std::vector<std::string>& header) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::stringstream head(line);
  for (std::string cell; std::getline(head, cell, ',');) header.push_back(cell);
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    std::stringstream row(line);
    rows.emplace_back();
    for (std::string cell; std::getline(row, cell, ',');) rows.back().push_back(std::stod(cell));
  }
  return rows;
}

}  // namespace

TEST_CASE("a run's metrics.csv is bit-identical for 1, 2 and 8 threads and across repetitions") {
  const std::string text = R"(
    name = "determinism"
    nodes = 24
    [topology]
    kind = "random-regular"
    d = 4
    [network]
    model = "fair"
    bandwidth = "100Mbps"
    jitter = "200us"
    loss = 0.0
    [compute]
    speed = "lognormal"
    jitter_sigma = 0.3
    [data]
    samples = 2400
    partition = "dirichlet"
    source = "gaussian-mixture"
    [model]
    kind = "softmax"
    [stop]
    rounds = 30
    [metrics]
    every_rounds = 5
  )";
  const Scenario scenario = parse_scenario(text, "determinism.toml", {}, scenario_schema());
  std::string reference;
  for (int threads : {1, 2, 8, 1}) {
    const std::string dir = out_dir("determinism_" + std::to_string(threads));
    const RunSummary summary = run_scenario(scenario, RunOptions{dir, threads, true});
    CHECK(summary.status == RunStatus::completed);
    const std::string metrics = read_file(dir + "/metrics.csv");
    if (reference.empty()) reference = metrics;
    CHECK(metrics == reference);
  }
  CHECK(std::count(reference.begin(), reference.end(), '\n') == 8);  // header + rounds 0, 5, ..., 30
}

TEST_CASE("exact gossip on a ring reaches consensus and contracts at (1 - spectral_gap)^2 per round") {
  // Ring of 25 with Metropolis weights (1/3 each): lambda_2 = 1/3 + 2/3 cos(2 pi / 25), so
  // the consensus distance shrinks by lambda_2^2 per round once the slowest mode dominates.
  const std::string text = R"(
    name = "gossip"
    nodes = 25
    [topology]
    kind = "ring"
    [data]
    source = "synthetic-linear"
    samples = 25
    test_samples = 0
    features = 200
    partition = "contiguous"
    [model]
    kind = "consensus"
    [algorithm]
    kind = "gossip"
    [stop]
    rounds = 800
    [metrics]
    every_rounds = 1
  )";
  const Scenario scenario = parse_scenario(text, "gossip.toml", {}, scenario_schema());
  const std::string dir = out_dir("gossip");
  REQUIRE(run_scenario(scenario, RunOptions{dir, 1, true}).status == RunStatus::completed);
  std::vector<std::string> header;
  const auto rows = read_csv(dir + "/metrics.csv", header);
  const auto column = std::find(header.begin(), header.end(), "consensus_distance") - header.begin();
  REQUIRE(rows.size() == 801);
  CHECK(rows.back()[column] < 1e-10);

  const double gap = analyze_spectrum(mixing_matrix(ring_graph(25), MixingRule::metropolis)).spectral_gap;
  const double expected = (1 - gap) * (1 - gap);
  CHECK(expected == Approx(std::pow(1.0 / 3 + 2.0 / 3 * std::cos(2 * M_PI / 25), 2)).epsilon(1e-12));
  for (std::size_t round : {300u, 400u, 500u}) {
    const double ratio = rows[round + 1][column] / rows[round][column];
    INFO("round " << round);
    CHECK(ratio == Approx(expected).epsilon(0.01));
  }
  // Exact averaging preserves the mean: the loss at x_bar stays at its minimum.
  const auto loss = std::find(header.begin(), header.end(), "gradient_norm") - header.begin();
  CHECK(rows.back()[loss] < 1e-12);
}

TEST_CASE("over-relaxed gossip runs at its eigenvalue rate, and the summary reports its stability bound") {
  // Ring of 8, Metropolis: lambda_min = -1/3, so the bound is 2 / (4/3) = 1.5;
  // at gamma = 1.2 the rate is 1 + 1.2 (lambda_2 - 1), lambda_2 = 1/3 + sqrt(2)/3.
  const std::string text = R"(
    name = "relaxed_gossip"
    nodes = 8
    [data]
    source = "synthetic-linear"
    samples = 8
    test_samples = 0
    features = 5
    partition = "contiguous"
    [model]
    kind = "consensus"
    [algorithm]
    kind = "gossip"
    gamma = 1.2
    [stop]
    rounds = 60
    [metrics]
    every_rounds = 10
  )";
  const std::string dir = out_dir("relaxed_gossip");
  REQUIRE(run_scenario(parse_scenario(text, "relaxed.toml", {}, scenario_schema()), RunOptions{dir, 1, true}).status ==
          RunStatus::completed);
  const nlohmann::json summary = nlohmann::json::parse(read_file(dir + "/summary.json"));
  CHECK(summary["topology"]["lambda_min"].get<double>() == Approx(-1.0 / 3).epsilon(1e-9));
  CHECK(summary["topology"]["gamma_stability_bound"].get<double>() == Approx(1.5).epsilon(1e-9));
  std::vector<std::string> header;
  const auto rows = read_csv(dir + "/metrics.csv", header);
  const auto column = std::find(header.begin(), header.end(), "consensus_distance") - header.begin();
  REQUIRE(rows.size() == 7);
  const double rate = 1 + 1.2 * (1.0 / 3 + std::sqrt(2.0) / 3 - 1);
  CHECK(std::pow(rows[6][column] / rows[5][column], 1.0 / 20) == Approx(rate).epsilon(1e-4));
}

TEST_CASE("the averaged iterate of d-psgd on average consensus follows its closed form") {
  // One row a_i per node, f(x) = (1/n) sum_i 1/2 ||x - a_i||^2 = 1/2 ||x - a_bar||^2 + f*, and a
  // deterministic gradient x_i - a_i. W keeps the mean, so x_bar^t - a_bar = (1 - eta)^t (x_bar^0 - a_bar)
  // from x^0 = 0, and the uniform average of x_bar^0..x_bar^t is off a_bar by
  // c_t = (1 - (1 - eta)^(t+1)) / (eta (t + 1)) times as much. So, with S = f(0) - f*,
  // loss - f* = S (1 - eta)^(2t) and loss_averaged - f* = S c_t^2, every round counted.
  const std::string text = R"(
    name = "averaged_iterate"
    nodes = 4
    [data]
    source = "synthetic-linear"
    samples = 4
    test_samples = 0
    features = 3
    partition = "contiguous"
    [model]
    kind = "consensus"
    [algorithm]
    kind = "d-psgd"
    learning_rate = 0.5
    batch_size = 1
    [stop]
    rounds = 80
    [metrics]
    every_rounds = 10
    optimum = false
    averaged_iterate = true
  )";
  const std::string dir = out_dir("averaged_iterate");
  REQUIRE(run_scenario(parse_scenario(text, "averaged.toml", {}, scenario_schema()), RunOptions{dir, 1, true}).status ==
          RunStatus::completed);
  std::vector<std::string> header;
  const auto rows = read_csv(dir + "/metrics.csv", header);
  const auto loss = std::find(header.begin(), header.end(), "loss") - header.begin();
  const auto averaged = std::find(header.begin(), header.end(), "loss_averaged") - header.begin();
  REQUIRE(averaged < static_cast<long>(header.size()));
  REQUIRE(rows.size() == 9);
  const double eta = 0.5;
  const double optimum = rows.back()[loss];  // off f* by S 2^-160
  const double start = rows[0][loss] - optimum;
  REQUIRE(start > 1e-3);
  CHECK(rows[0][averaged] == rows[0][loss]);
  for (std::size_t row = 1; row < rows.size(); ++row) {
    const double t = rows[row][0];
    const double c = (1 - std::pow(1 - eta, t + 1)) / (eta * (t + 1));
    INFO("round " << t);
    CHECK((rows[row][averaged] - optimum) / start == Approx(c * c).epsilon(1e-9));
    if (t <= 10) CHECK((rows[row][loss] - optimum) / start == Approx(std::pow(1 - eta, 2 * t)).epsilon(1e-6));
  }
}

TEST_CASE("the dlsim command: run, validate and exit statuses") {
  const std::string dlsim = std::string(DLSIM_BINARY_DIR) + "/src/cli/dlsim";
  const std::string quickstart = std::string(DLSIM_SOURCE_DIR) + "/scenarios/quickstart.toml";
  const std::string dir = out_dir("cli_quickstart");
  auto status = [](const std::string& command) {
    const int raw = std::system((command + " >/dev/null 2>&1").c_str());
    return WEXITSTATUS(raw);
  };
  CHECK(status(dlsim + " run " + quickstart + " --quiet --set stop.rounds=20 --out " + dir) == 0);
  CHECK(std::filesystem::exists(dir + "/metrics.csv"));
  CHECK(std::filesystem::exists(dir + "/summary.json"));
  CHECK_FALSE(std::filesystem::exists(dir + "/summary.json.tmp"));
  CHECK(read_file(dir + "/summary.json").find("\"status\": \"completed\"") != std::string::npos);
  CHECK(status(dlsim + " validate " + quickstart) == 0);
  CHECK(status(dlsim + " run /no/such.toml") == 2);
  CHECK(status(dlsim + " run " + quickstart + " --set network.latency=fast") == 2);
  CHECK(status(dlsim + " run " + quickstart + " --threads 0") == 2);
  CHECK(status(dlsim + " frobnicate") == 2);
  CHECK(status(dlsim + " --help") == 0);
}

TEST_CASE("metrics every simulated duration evaluate the current models at those times") {
  const Scenario scenario = parse_scenario(
      "nodes = 8\n[stop]\nrounds = 40\n[metrics]\nevery_time = \"5ms\"\n", "timed.toml", {}, scenario_schema());
  const std::string dir = out_dir("timed");
  REQUIRE(run_scenario(scenario, RunOptions{dir, 2, true}).status == RunStatus::completed);
  std::vector<std::string> header;
  const auto rows = read_csv(dir + "/metrics.csv", header);
  REQUIRE(rows.size() >= 3);
  for (std::size_t i = 0; i + 1 < rows.size(); ++i) CHECK(rows[i][1] == Approx(0.005 * static_cast<double>(i)));
  CHECK(rows.back()[0] == 40);  // the last round is always evaluated
  for (std::size_t i = 1; i < rows.size(); ++i) CHECK(rows[i][0] >= rows[i - 1][0]);
}
