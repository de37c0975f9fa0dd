// The [byzantine] section in runs: placement, honest-only metrics, the cost
// of attackers' messages, robust gossip against an attacker, determinism
// across thread counts, and the bad input refused with the key named.
#include <catch2/catch.hpp>

#include <boost/graph/adjacency_list.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "metrics/evaluation.hpp"
#include "run_files.hpp"
#include "scenario/byzantine_section.hpp"
#include "scenario/experiment.hpp"
#include "scenario/experiment_builder.hpp"

using namespace dlsim;
using dlsim::test::out_dir;
using dlsim::test::read_file;

namespace {

// D-PSGD on logistic regression, 12 nodes on a ring, one attacker.
Scenario byzantine_scenario(const std::vector<std::string>& overrides) {
  const std::string text = R"(
    name = "byzantine"
    nodes = 12
    [topology]
    kind = "ring"
    [data]
    samples = 1200
    test_samples = 300
    features = 10
    [algorithm]
    kind = "d-psgd"
    learning_rate = 0.5
    [byzantine]
    count = 1
    placement = "highest-degree"
    attack = "sign-flip"
    scale = 100.0
    [stop]
    rounds = 60
    [metrics]
    every_rounds = 20
  )";
  return parse_scenario(text, "byzantine.toml", overrides, scenario_schema());
}

nlohmann::json run_json(const std::string& name, const std::vector<std::string>& overrides, int threads = 1) {
  const std::string dir = out_dir(name);
  run_scenario(byzantine_scenario(overrides), RunOptions{dir, threads, true});
  return nlohmann::json::parse(read_file(dir + "/summary.json"));
}

std::string error_of(const std::vector<std::string>& overrides) {
  try {
    run_scenario(byzantine_scenario(overrides), RunOptions{out_dir("byzantine_refused"), 1, true});
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("placement by degree picks the graph's highest- or lowest-degree nodes, ties by the lower id") {
  const std::vector<std::size_t> degrees{1, 3, 2, 3, 1};
  CHECK(place_byzantine(ByzantinePlacement::highest_degree, 5, 1, degrees, {}, 1) == std::vector<NodeId>{1});
  CHECK(place_byzantine(ByzantinePlacement::highest_degree, 5, 2, degrees, {}, 1) == std::vector<NodeId>{1, 3});
  CHECK(place_byzantine(ByzantinePlacement::lowest_degree, 5, 1, degrees, {}, 1) == std::vector<NodeId>{0});
  CHECK(place_byzantine(ByzantinePlacement::random, 5, 4, degrees, {}, 1).size() == 4);
  const std::vector<std::int64_t> list{4, 0};
  CHECK(place_byzantine(ByzantinePlacement::list, 5, 0, degrees, list, 1) == std::vector<NodeId>{0, 4});
  CHECK_THROWS_AS(place_byzantine(ByzantinePlacement::random, 5, 5, degrees, {}, 1), std::invalid_argument);

  // The social network graph: the attacker is a node of the largest degree.
  const Scenario scenario = byzantine_scenario({"nodes=32", "topology.kind=social-network"});
  const Experiment experiment = build_experiment(scenario, 1);
  REQUIRE(experiment.byzantine.size() == 1);
  std::size_t largest = 0;
  for (NodeId node = 0; node < 32; ++node) largest = std::max<std::size_t>(largest, boost::degree(node, experiment.graph));
  CHECK(boost::degree(experiment.byzantine[0], experiment.graph) == largest);
  // ... and on a star, its centre.
  const Experiment star = build_experiment(byzantine_scenario({"topology.kind=star"}), 1);
  CHECK(boost::degree(star.byzantine.at(0), star.graph) == 11);
}

TEST_CASE("with Byzantine nodes, the metrics are over exactly the honest nodes' models") {
  // Average consensus on the complete graph with silent Byzantine nodes 2 and
  // 5: at round 0 every model is its node's data mean, so the loss column is
  // f at the mean of the honest nodes' models, and the consensus distance theirs.
  const std::vector<std::string> overrides{"algorithm.kind=gossip", "model.kind=consensus", "topology.kind=complete",
                                           "data.source=synthetic-linear",
                                           "byzantine.count=0", "byzantine.placement=list", "byzantine.nodes=[2, 5]",
                                           "byzantine.attack=none", "metrics.optimum=false"};
  const Experiment experiment = build_experiment(byzantine_scenario(overrides), 1);
  REQUIRE(experiment.byzantine == std::vector<NodeId>{2, 5});
  std::vector<std::vector<double>> honest;
  for (NodeId node = 0; node < 12; ++node)
    if (node != 2 && node != 5) honest.push_back(experiment.config.initial_models[node]);
  const ModelEvaluation expected = evaluate_models(honest, *experiment.model, *experiment.train, nullptr);
  const ModelEvaluation everyone =
      evaluate_models(experiment.config.initial_models, *experiment.model, *experiment.train, nullptr);
  REQUIRE(std::abs(expected.loss - everyone.loss) > 1e-6);  // the test can tell them apart

  const std::string dir = out_dir("byzantine_honest_metrics");
  run_scenario(byzantine_scenario(overrides), RunOptions{dir, 1, true});
  const std::string metrics = read_file(dir + "/metrics.csv");
  const auto first_row = metrics.substr(metrics.find('\n') + 1);
  std::vector<double> values;
  std::stringstream row(first_row.substr(0, first_row.find('\n')));
  for (std::string cell; std::getline(row, cell, ',');) values.push_back(std::stod(cell));
  const std::string header = metrics.substr(0, metrics.find('\n'));
  auto column = [&](const std::string& name) {
    std::stringstream names(header);
    std::size_t index = 0;
    for (std::string cell; std::getline(names, cell, ','); ++index)
      if (cell == name) return values.at(index);
    FAIL("no column " << name);
    return 0.0;
  };
  CHECK(column("round") == 0);
  CHECK(column("loss") == Approx(expected.loss).epsilon(1e-12));
  CHECK(column("consensus_distance") == Approx(expected.consensus_distance).epsilon(1e-12));
  const auto json = nlohmann::json::parse(read_file(dir + "/summary.json"));
  CHECK(json.at("byzantine").at("nodes") == nlohmann::json::array({2, 5}));
  CHECK(json.at("byzantine").at("attack") == "none");
  CHECK(json.at("byzantine").at("omniscient") == true);
  CHECK(json.at("byzantine").at("defence") == "none");
}

TEST_CASE("a silent attacker sends nothing and its neighbours do not wait, and an attacker's messages cost like any") {
  // Ring of 12, 60 rounds: 12 * 2 * 60 = 1440 messages; a silent node 0 takes
  // out its own 120 and the 120 its neighbours would send it.
  const auto silent = run_json("byzantine_silent", {"byzantine.attack=none"});
  CHECK(silent.at("status") == "completed");
  CHECK(silent.at("final").at("messages_sent") == 1200);
  const auto attacked = run_json("byzantine_sign_flip", {});
  CHECK(attacked.at("final").at("messages_sent") == 1440);
  CHECK(attacked.at("final").at("bits_sent") == 1440 * (64 + 64 * 10));
}

TEST_CASE("one huge attacker on a ring: D-PSGD's honest loss blows up, trimmed-mean and median gossip stay near the attack-free run") {
  const double clean = run_json("byzantine_clean", {"byzantine.count=0"}).at("final").at("loss");
  const auto plain = run_json("byzantine_plain", {});
  CHECK((plain.at("status") == "diverged" || plain.at("final").at("loss").get<double>() > 1e3 * clean));
  for (const std::string defence : {"trimmed-mean", "median", "clipped"}) {
    const auto json = run_json("byzantine_" + defence, {"algorithm.robust_gossip=" + defence});
    INFO(defence);
    CHECK(json.at("final").at("loss").get<double>() < 1.1 * clean);
    CHECK(json.at("byzantine").at("defence").get<std::string>().rfind(defence, 0) == 0);
  }
}

TEST_CASE("ClippedGossip D-PSGD with a huge radius and no attacker is D-PSGD to rounding") {
  const auto plain = run_json("byzantine_none_plain", {"byzantine.count=0"});
  const auto clipped =
      run_json("byzantine_none_clipped", {"byzantine.count=0", "algorithm.robust_gossip=clipped", "algorithm.clip_radius=1e300"});
  for (const char* figure : {"loss", "consensus_distance", "test_accuracy"})
    CHECK(clipped.at("final").at(figure).get<double>() ==
          Approx(plain.at("final").at(figure).get<double>()).epsilon(1e-12));
  // The same values, later: every round's combination is a compute task.
  CHECK(clipped.at("final").at("time_s").get<double>() > plain.at("final").at("time_s").get<double>());
}

TEST_CASE("runs with attackers are bit-identical with 1 and 2 threads") {
  const std::vector<std::string> overrides{"byzantine.count=2", "byzantine.placement=random", "byzantine.attack=alie",
                                           "compression.kind=rand-k", "algorithm.robust_gossip=median"};
  run_json("byzantine_threads_1", overrides, 1);
  run_json("byzantine_threads_2", overrides, 2);
  const std::string one = read_file(out_dir("byzantine_threads_1") + "/metrics.csv");
  CHECK(!one.empty());
  CHECK(one == read_file(out_dir("byzantine_threads_2") + "/metrics.csv"));
}

TEST_CASE("bad Byzantine input is refused with the key named") {
  CHECK_THAT(error_of({"byzantine.count=12"}), Catch::Contains("byzantine.count") && Catch::Contains("honest"));
  CHECK_THAT(error_of({"byzantine.fraction=1.0", "byzantine.count=0"}), Catch::Contains("byzantine.fraction"));
  CHECK_THAT(error_of({"byzantine.fraction=0.2"}), Catch::Contains("byzantine.fraction") && Catch::Contains("not both"));
  CHECK_THAT(error_of({"byzantine.count=0", "byzantine.placement=list", "byzantine.nodes=[3, 12]"}),
             Catch::Contains("byzantine.nodes") && Catch::Contains("12"));
  CHECK_THAT(error_of({"byzantine.count=0", "byzantine.placement=list", "byzantine.nodes=[3, 3]"}),
             Catch::Contains("byzantine.nodes") && Catch::Contains("twice"));
  CHECK_THAT(error_of({"byzantine.nodes=[3]"}), Catch::Contains("byzantine.nodes") && Catch::Contains("list"));
  CHECK_THAT(error_of({"byzantine.sigma=-1"}), Catch::Contains("byzantine.sigma"));
  CHECK_THAT(error_of({"byzantine.scale=-2"}), Catch::Contains("byzantine.scale"));
  CHECK_THAT(error_of({"byzantine.probability=1.5"}), Catch::Contains("byzantine.probability"));
  CHECK_THAT(error_of({"byzantine.count=-1"}), Catch::Contains("byzantine.count"));
  CHECK_THAT(error_of({"byzantine.attack=dissensus", "byzantine.omniscient=false"}),
             Catch::Contains("byzantine.omniscient"));
  CHECK_THAT(error_of({"byzantine.attack=alie", "byzantine.count=7"}), Catch::Contains("byzantine.z"));
  CHECK_THAT(error_of({"byzantine.attack=label-flip", "algorithm.kind=gossip", "model.kind=consensus"}),
             Catch::Contains("byzantine.attack"));
  CHECK_THAT(error_of({"algorithm.kind=choco-sgd"}), Catch::Contains("byzantine.count") && Catch::Contains("d-psgd"));
  CHECK_THAT(error_of({"byzantine.count=0", "algorithm.kind=choco-sgd", "algorithm.robust_gossip=median"}),
             Catch::Contains("algorithm.robust_gossip"));
  CHECK_THAT(error_of({"algorithm.robust_gossip=trimmed-mean", "algorithm.trim=2"}), Catch::Contains("algorithm.trim"));
  std::string federated = "no error";
  try {
    // The synchronous federated kinds simulate Byzantine clients, the asynchronous ones not yet.
    const Scenario scenario = parse_scenario("nodes = 16\n[algorithm]\nkind = \"fedbuff\"\n[byzantine]\ncount = 1\n",
                                             "federated.toml", {}, scenario_schema());
    check_experiment(scenario);
  } catch (const ScenarioError& error) {
    federated = error.what();
  }
  CHECK_THAT(federated, Catch::Contains("byzantine.count") && Catch::Contains("fedbuff"));
  CHECK_THAT(error_of({"byzantine.attack=sabotage"}), Catch::Contains("byzantine.attack"));
}

TEST_CASE("an omniscient attacker sends after its honest neighbours' messages reach it, and otherwise at once") {
  // Ring, 1 ms links, rounds bound by one latency: the omniscient attacker's
  // message leaves one latency into the round and arrives after two, so its
  // neighbours' rounds (and, through them, everyone's) take twice as long.
  const double clean = run_json("byzantine_time_clean", {"byzantine.count=0"}).at("final").at("time_s");
  const auto omniscient = run_json("byzantine_time_omniscient", {"byzantine.attack=alie"});
  const auto previous =
      run_json("byzantine_time_previous", {"byzantine.attack=alie", "byzantine.omniscient=false"});
  CHECK(omniscient.at("final").at("time_s").get<double>() > 1.9 * clean);
  CHECK(previous.at("final").at("time_s").get<double>() == clean);
  CHECK(omniscient.at("byzantine").at("attack") == "alie(z=0, omniscient)");  // n = 12, f = 1: s = 6, z = Phi^-1(1/2)
  CHECK(previous.at("byzantine").at("attack") == "alie(z=0, previous round)");
}
