// Directed graphs end to end: SGP on the directed exponential graph against
// D-PSGD on its undirected counterpart (Assran et al., ICML 2019, report the
// same accuracy per iteration), overlap SGP, determinism across threads, the
// spectral report, and the bad input of directed topologies.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "scenario/experiment.hpp"
#include "scenario/experiment_builder.hpp"
#include "run_files.hpp"

using namespace dlsim;
using Catch::Contains;
using dlsim::test::metrics_column;
using dlsim::test::out_dir;
using dlsim::test::read_file;

namespace {

// Logistic regression on 16 nodes, iid data: the directed exponential graph
// (out-degree 4, SLEM 0.6) against the undirected one (degree 7, Metropolis).
const char* const kLogistic = R"(
  nodes = 16
  [topology]
  kind = "directed-exponential"
  [data]
  source = "synthetic-logistic"
  samples = 4000
  test_samples = 500
  features = 20
  [model]
  kind = "logistic"
  l2 = 1e-4
  [algorithm]
  kind = "sgp"
  learning_rate = 0.5
  batch_size = 16
  [stop]
  rounds = 150
  [metrics]
  every_rounds = 50
)";

std::string run(const std::string& name, const std::vector<std::string>& overrides, int threads = 1) {
  const std::string dir = out_dir(name);
  const Scenario scenario = parse_scenario(kLogistic, "directed.toml", overrides, scenario_schema());
  const RunSummary summary = run_scenario(scenario, RunOptions{dir, threads, true});
  REQUIRE(summary.status == RunStatus::completed);
  return dir;
}

std::string check_error(const std::vector<std::string>& overrides) {
  try {
    check_experiment(parse_scenario(kLogistic, "check.toml", overrides, scenario_schema()));
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "no error";
}

std::string temporary_file(const std::string& name, const std::string& content) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << content;
  return path;
}

}  // namespace

TEST_CASE("SGP on the directed exponential graph matches D-PSGD on the undirected one, round for round") {
  const std::string sgp = run("directed_sgp", {});
  const std::string dpsgd = run("directed_dpsgd", {"algorithm.kind=d-psgd", "topology.kind=exponential"});
  const std::vector<double> sgp_gap = metrics_column(sgp, "suboptimality");
  const std::vector<double> dpsgd_gap = metrics_column(dpsgd, "suboptimality");
  REQUIRE(sgp_gap.size() == 4);
  REQUIRE(dpsgd_gap.size() == 4);
  // Both leave the start far behind, and end within 30% of each other's suboptimality.
  CHECK(sgp_gap.back() < 0.02 * sgp_gap.front());
  CHECK(sgp_gap.back() < 1.3 * dpsgd_gap.back());
  CHECK(dpsgd_gap.back() < 1.3 * sgp_gap.back());
  // At every evaluation, not only the last.
  for (std::size_t row = 1; row < sgp_gap.size(); ++row) CHECK(sgp_gap[row] < 1.5 * dpsgd_gap[row]);
  // summary.json: the directed W's SLEM, for n = 16 the circulant's 3/5.
  const auto summary = nlohmann::json::parse(read_file(sgp + "/summary.json"));
  CHECK(summary["topology"]["directed"] == true);
  CHECK(summary["topology"]["slem"].get<double>() == Approx(0.6).margin(1e-12));
  CHECK(summary["topology"]["directed_spectral_gap"].get<double>() == Approx(0.4).margin(1e-12));
}

TEST_CASE("overlap SGP reaches SGP's loss in less simulated time when latency dominates") {
  const std::vector<std::string> slow_links{"network.latency=5ms"};
  const std::string sgp = run("directed_sgp_slow", slow_links);
  std::vector<std::string> overlapped = slow_links;
  overlapped.push_back("algorithm.overlap=1");
  const std::string osgp = run("directed_osgp_slow", overlapped);
  const double sgp_time = metrics_column(sgp, "time_s").back(), osgp_time = metrics_column(osgp, "time_s").back();
  // SGP: one 5 ms exchange per round; OSGP: the round-t message is due in round t + 1.
  CHECK(osgp_time < 0.6 * sgp_time);
  const double sgp_gap = metrics_column(sgp, "suboptimality").back();
  const double osgp_gap = metrics_column(osgp, "suboptimality").back();
  CHECK(osgp_gap < 2 * sgp_gap);
}

TEST_CASE("SGP and overlap SGP are bit-identical with 1 and 2 threads") {
  for (const char* overlap : {"algorithm.overlap=0", "algorithm.overlap=2"}) {
    const std::vector<std::string> overrides{overlap, "network.jitter=200us", "stop.rounds=40"};
    const std::string one = read_file(run("directed_threads_1", overrides, 1) + "/metrics.csv");
    const std::string two = read_file(run("directed_threads_2", overrides, 2) + "/metrics.csv");
    CHECK(one == two);
  }
}

TEST_CASE("directed graphs refused where W must be symmetric, disconnected or with bad weights") {
  CHECK(check_error({}) == "no error");
  CHECK_THAT(check_error({"algorithm.kind=d-psgd"}),
             Contains("algorithm.kind: d-psgd needs a symmetric W, and the directed-exponential graph is directed"));
  CHECK_THAT(check_error({"topology.kind=directed-ring", "algorithm.kind=choco-sgd"}),
             Contains("algorithm.kind: choco-sgd needs a symmetric W"));
  CHECK_THAT(check_error({"algorithm.overlap=1", "algorithm.kind=d-psgd", "topology.kind=ring"}),
             Contains("algorithm.overlap: 1: the number of rounds a message may be late is sgp's"));
  CHECK_THAT(check_error({"topology.directed=true"}) + check_error({"topology.kind=ring", "topology.directed=true"}),
             Contains("topology.directed: applies to a graph file"));
  CHECK_THAT(check_error({"topology.weights=metropolis-choco"}),
             Contains("topology.weights: \"metropolis-choco\" is a rule for a symmetric W"));
  const std::string one_way = temporary_file("dlsim_one_way.edges", "0 1\n1 2\n2 0\n3 0\n");
  CHECK_THAT(check_error({"nodes=4", "topology.kind=file", "topology.directed=true", "topology.file=" + one_way}),
             Contains("topology.file: the " + one_way + " digraph is not strongly connected (node 0 cannot reach node 3)"));
  const std::string heavy = temporary_file("dlsim_heavy.edges", "0 1 0.5\n1 2 0.6\n1 0 0.6\n2 0 1\n");
  CHECK_THAT(check_error({"nodes=3", "topology.kind=file", "topology.directed=true", "topology.file=" + heavy,
                          "topology.weights=file"}),
             Contains("topology.weights: column 1 of W does not sum to 1"));
  // The same file read undirected is a triangle; read as a digraph under push-sum weights it runs.
  CHECK(check_error({"nodes=3", "topology.kind=file", "topology.directed=true", "topology.file=" + heavy}) ==
        "no error");
  CHECK_THAT(check_error({"algorithm.rejoin=average", "algorithm.round_timeout=50ms"}),
             Contains("algorithm.rejoin: \"average\" needs messages that carry models"));
}

TEST_CASE("push-sum with a round timeout and lost messages completes, its estimate a weighted average") {
  const std::string dir =
      run("directed_push_sum_loss", {"algorithm.kind=push-sum", "model.kind=consensus", "network.loss=0.05",
                                     "algorithm.round_timeout=20ms", "stop.rounds=60", "metrics.every_rounds=20"});
  const std::vector<double> consensus = metrics_column(dir, "consensus_distance");
  CHECK(consensus.back() < 1e-6 * consensus.front());
  CHECK(metrics_column(dir, "messages_missed").back() + metrics_column(dir, "messages_missed")[1] > 0);
}

TEST_CASE("SGP and overlap SGP with churn, loss and a round timeout complete near the fault-free loss") {
  const std::string clean = run("directed_sgp_clean", {});
  for (const char* overlap : {"algorithm.overlap=0", "algorithm.overlap=1"}) {
    // A missed share goes to W_ii: w_i stays near 1 (dropping it diverged here).
    const std::string faulty = run("directed_sgp_churn", {overlap, "faults.churn_fraction=0.2", "faults.churn_mean_up=50ms",
                                                          "faults.churn_mean_down=10ms", "network.loss=0.02",
                                                          "algorithm.round_timeout=5ms"});
    CHECK(metrics_column(faulty, "suboptimality").back() < 3 * metrics_column(clean, "suboptimality").back());
    const auto summary = nlohmann::json::parse(read_file(faulty + "/summary.json"));
    CHECK(summary["final"]["round_timeouts"].get<double>() > 0);
  }
}
