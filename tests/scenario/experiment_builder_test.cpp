// check_experiment: every check `dlsim run` makes before it starts, without
// running; and the keys its messages name.
#include "scenario/experiment_builder.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "scenario/experiment.hpp"
#include "sim/random.hpp"
#include "topologies/mixing.hpp"

using namespace dlsim;
using Catch::Contains;

namespace {

std::string check_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    check_experiment(parse_scenario(text, "check.toml", overrides, scenario_schema()));
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "no error";
}

const char* const kSmall = "nodes = 8\n[data]\nsamples = 400\nfeatures = 5\n[stop]\nrounds = 10\n";

}  // namespace

TEST_CASE("check_experiment refuses what run refuses, before anything runs") {
  CHECK(check_error(kSmall) == "no error");
  // Valid for the schema, but a ring needs three nodes.
  CHECK_THAT(check_error("nodes = 1\n"), Contains("check.toml:1:9: nodes") || Contains("topology.kind"));
  CHECK_THAT(check_error(kSmall, {"topology.kind=file", "topology.file=/no/such.edges"}),
             Contains("--set topology.file=/no/such.edges: topology.file") && Contains("/no/such.edges"));
  CHECK_THAT(check_error(kSmall, {"data.source=libsvm", "data.path=/no/such.svm"}),
             Contains("--set data.path=/no/such.svm: data.path"));
  CHECK_THAT(check_error(kSmall, {"metrics.optimum=false", "stop.target_suboptimality=0.1"}),
             Contains("stop.target_suboptimality: needs f*: set metrics.optimum = true"));
  CHECK_THAT(check_error(kSmall, {"model.kind=mlp", "data.source=gaussian-mixture", "metrics.target_suboptimality=0.1"}),
             Contains("metrics.target_suboptimality: needs f*, which is not computed: the MLP's loss is not convex"));
}

TEST_CASE("a speed factor out of range names the key of its distribution") {
  // exp(1000 z) overflows or underflows: the sigma is wrong, not a speed table.
  const std::string error = check_error(kSmall, {"compute.speed=lognormal", "compute.speed_sigma=1000"});
  CHECK_THAT(error, Contains("--set compute.speed_sigma=1000: compute.speed_sigma: node ") &&
                        Contains("positive and finite"));
  CHECK_THAT(check_error(kSmall, {"compute.speed=uniform", "compute.speed_low=2", "compute.speed_high=1"}),
             Contains("--set compute.speed_low=2: compute.speed_low:"));
}

namespace {

Experiment built(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return build_experiment(parse_scenario(text, "init.toml", overrides, scenario_schema()), 1);
}

std::string temporary_file(const std::string& name, const std::string& content) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << content;
  return path;
}

}  // namespace

TEST_CASE("model.init: auto keeps the algorithms' own start, the others set every node's model") {
  // kSmall: logistic on 5 features, 5 parameters.
  const std::size_t dimension = built(kSmall).model->dimension();
  REQUIRE(dimension == 5);
  CHECK(built(kSmall).config.initial_models.empty());  // auto: Model::initialize in the algorithm, as before
  const Experiment zeros = built(kSmall, {"model.init=\"zeros\""});
  REQUIRE(zeros.config.initial_models.size() == 8);
  CHECK(zeros.config.initial_models[7] == std::vector<double>(dimension, 0.0));

  const std::vector<double> listed{1, -2, 3.5, 0, 0.25};
  const Experiment list = built(kSmall, {"model.init=[1, -2, 3.5, 0, 0.25]"});
  CHECK(list.config.initial_models[0] == listed);
  CHECK(list.config.initial_models[7] == listed);
  // The older spelling gives the same.
  CHECK(built(kSmall, {"model.initial_point=[1, -2, 3.5, 0, 0.25]"}).config.initial_models[3] == listed);

  // A file: one number per line, comments and blank lines skipped, CRLF read.
  const std::string path = temporary_file("dlsim_init_test.txt", "# a start\n1\n-2\n\n3.5\r\n0\n  0.25\t\n");
  CHECK(built(kSmall, {"model.init=\"file:" + path + "\""}).config.initial_models[5] == listed);

  // random: N(0, 1/d) from the seed; the same for the same seed, all nodes alike.
  const Experiment random = built(kSmall, {"model.init=\"random\""});
  const std::vector<double>& x = random.config.initial_models[0];
  CHECK(x == built(kSmall, {"model.init=\"random\""}).config.initial_models[0]);
  CHECK(x == random.config.initial_models[7]);
  CHECK(x != built(kSmall, {"model.init=\"random\"", "seed=2"}).config.initial_models[0]);
  double norm_squared = 0;
  for (double value : x) norm_squared += value * value;
  CHECK(norm_squared > 0.05);
  CHECK(norm_squared < 6);  // chi^2 with 5 degrees of freedom over 5: beyond 6 has probability < 1e-4
}

TEST_CASE("model.init: the MLP's random start is its He draw, the start auto gives it") {
  const std::string mlp = std::string(kSmall) + "[model]\nkind = \"mlp\"\nhidden = [4]\n";
  const std::vector<std::string> classes{"data.source=gaussian-mixture"};
  const Experiment random = built(mlp, {"data.source=gaussian-mixture", "model.init=\"random\""});
  std::vector<double> own(random.model->dimension(), 0.0);
  RandomStream stream(1, 0, purpose_id("model.init"));
  random.model->initialize(own, stream);
  CHECK(random.config.initial_models[2] == own);
  CHECK(built(mlp, classes).config.initial_models.empty());
}

TEST_CASE("model.init: bad values name the key, or the file and line") {
  CHECK_THAT(check_error(kSmall, {"model.init=[1.0, 2.0]"}),
             Contains("model.init: 2 values for the 5 parameters of logistic"));
  CHECK_THAT(check_error(kSmall, {"model.init=\"ones\""}),
             Contains("model.init: expected \"auto\", \"zeros\", \"random\", \"file:PATH\" or a list of numbers"));
  CHECK_THAT(check_error(kSmall, {"model.init=\"file:\""}), Contains("model.init: expected"));
  CHECK_THAT(check_error(kSmall, {"model.init=true"}), Contains("model.init"));
  CHECK_THAT(check_error(kSmall, {"model.init=[1, \"a\"]"}), Contains("model.init[1]"));
  CHECK_THAT(check_error(kSmall, {"model.init=\"file:/no/such/start\""}),
             Contains("model.init: /no/such/start: cannot open the parameter file"));
  const std::string short_file = temporary_file("dlsim_init_short.txt", "1\n2\n");
  CHECK_THAT(check_error(kSmall, {"model.init=\"file:" + short_file + "\""}),
             Contains(short_file + ": 2 values for the 5 parameters"));
  const std::string bad_line = temporary_file("dlsim_init_bad.txt", "1\n2\n# fine\n3,4\n");
  CHECK_THAT(check_error(kSmall, {"model.init=\"file:" + bad_line + "\""}),
             Contains(bad_line + ":4: \"3,4\" is not one finite number"));
  const std::string long_file = temporary_file("dlsim_init_long.txt", "1\n2\n3\n4\n5\n\n6\n");
  CHECK_THAT(check_error(kSmall, {"model.init=\"file:" + long_file + "\""}),
             Contains(long_file + ":7: more than the 5 values"));
  CHECK_THAT(check_error(kSmall, {"model.init=\"zeros\"", "model.initial_point=[1, 2, 3, 4, 5]"}),
             Contains("model.initial_point: give model.init or model.initial_point"));
  CHECK_THAT(check_error(kSmall, {"model.init=\"zeros\"", "algorithm.kind=gossip", "model.kind=consensus"}),
             Contains("model.init: gossip starts every node from the mean of its own data"));
}

TEST_CASE("algorithm.gamma above 1: relaxed gossip below its stability bound, refused elsewhere") {
  // Ring of 8, Metropolis weights: lambda_min = -1/3, bound 1.5.
  const std::string gossip = std::string(kSmall) + "[model]\nkind = \"consensus\"\n[algorithm]\nkind = \"gossip\"\n";
  CHECK(check_error(gossip, {"algorithm.gamma=1.49"}) == "no error");
  CHECK_THAT(check_error(gossip, {"algorithm.gamma=1.51"}),
             Contains("algorithm.gamma: 1.51 is not below the stability bound 2 / (1 - lambda_min(W)) = 1.5 of this W"));
  // The bound itself (here computed as 1.5 + 4e-16) is refused: it does not converge.
  CHECK_THAT(check_error(gossip, {"algorithm.gamma=1.5"}), Contains("is not below the stability bound"));
  CHECK(check_error(gossip, {"algorithm.kind=choco-gossip", "algorithm.gamma=1.4"}) == "no error");
  CHECK_THAT(check_error(gossip, {"algorithm.kind=choco-gossip", "algorithm.gamma=1.4", "compression.kind=top-k"}),
             Contains("algorithm.gamma: 1.4 above 1 needs exact messages"));
  CHECK_THAT(check_error(kSmall, {"algorithm.kind=choco-sgd", "algorithm.gamma=1.2"}),
             Contains("algorithm.gamma: 1.2 is above 1, which choco-sgd does not take"));
  CHECK_THAT(check_error(kSmall, {"algorithm.gamma=1.2"}), Contains("algorithm.gamma: 1.2 is above 1, which d-psgd"));
  CHECK_THAT(check_error(gossip, {"algorithm.gamma=1.2", "topology.kind=one-peer-exponential"}),
             Contains("algorithm.gamma: 1.2 above 1 needs a fixed W"));
  CHECK_THAT(check_error(gossip, {"algorithm.gamma=0"}), Contains("algorithm.gamma"));
}

TEST_CASE("metrics.averaged_iterate needs evaluations by rounds") {
  CHECK(check_error(kSmall, {"metrics.averaged_iterate=true"}) == "no error");
  CHECK_THAT(check_error(kSmall, {"metrics.averaged_iterate=true", "metrics.every_time=\"1ms\""}),
             Contains("metrics.averaged_iterate: needs evaluations by rounds"));
}

TEST_CASE("topology.weights = \"file\": W from the edge weights of the graph file, a bad row named") {
  // A 4-cycle whose edges weigh 0.5, 0.25, 0.5, 0.25: every w_ii = 0.25.
  const std::string good = temporary_file("dlsim_weights_good.edges", "0 1 0.5\n1 2 0.25\n2 3 0.5\n3 0 0.25\n");
  const std::string text = "nodes = 4\n[data]\nsamples = 40\nfeatures = 3\n[stop]\nrounds = 2\n";
  const std::vector<std::string> file{"topology.kind=file", "topology.file=" + good, "topology.weights=file"};
  const Experiment experiment = built(text, file);
  const SparseMatrix& w = experiment.mixing;
  CHECK(w.coeff(0, 1) == 0.5);
  CHECK(w.coeff(1, 0) == 0.5);
  CHECK(w.coeff(1, 2) == 0.25);
  CHECK(w.coeff(0, 3) == 0.25);
  CHECK(w.coeff(0, 2) == 0.0);
  for (int i = 0; i < 4; ++i) CHECK(w.coeff(i, i) == 0.25);
  CHECK(check_mixing_matrix(w).ok());
  // Metropolis on the same file ignores the weights (1/3 on every edge of the cycle).
  CHECK(built(text, {"topology.kind=file", "topology.file=" + good}).mixing.coeff(1, 2) == 1.0 / 3);

  // A chord 2-0 of weight 0.5: node 0's edges (the first bad row) weigh 0.5 + 0.25 + 0.5.
  const std::string bad_file = temporary_file("dlsim_weights_bad.edges", "0 1 0.5\n1 2 0.25\n2 3 0.5\n3 0 0.25\n2 0 0.5\n");
  CHECK_THAT(check_error(text, {"topology.kind=file", "topology.file=" + bad_file, "topology.weights=file"}),
             Contains("topology.weights: row 0 of W does not sum to 1: the weights of node 0's 3 edges sum to 1.25"));
  // Weights absent from the file are 1: any node of degree 2 fails.
  const std::string plain = temporary_file("dlsim_weights_plain.edges", "0 1\n1 2\n2 3\n3 0\n");
  CHECK_THAT(check_error(text, {"topology.kind=file", "topology.file=" + plain, "topology.weights=file"}),
             Contains("row 0 of W"));
  CHECK_THAT(check_error(text, {"topology.weights=file"}),
             Contains("topology.weights: \"file\" takes W from the edge weights of topology.file; the ring generator"));
}

TEST_CASE("exact diffusion, D^2, BEER, d-psgd's order and quasi-global momentum refuse what they cannot run") {
  CHECK(check_error(kSmall, {"algorithm.kind=exact-diffusion"}) == "no error");
  CHECK(check_error(kSmall, {"algorithm.kind=beer", "compression.kind=top-k", "algorithm.gamma=0.5"}) == "no error");
  CHECK(check_error(kSmall, {"algorithm.order=gradient-then-gossip"}) == "no error");
  CHECK(check_error(kSmall, {"algorithm.momentum=0.9", "algorithm.momentum_kind=quasi-global"}) == "no error");
  CHECK(check_error(kSmall, {"algorithm.momentum=0.9", "algorithm.momentum_kind=quasi-global",
                             "algorithm.quasi_global_mu=0"}) == "no error");
  // Ring of 8, Metropolis: lambda_min = -1/3, D^2's limit; lazy weights put it at 1/3.
  CHECK_THAT(check_error(kSmall, {"algorithm.kind=d2"}),
             Contains("topology.weights: d2 needs every eigenvalue of W above -1/3, and lambda_min(W) = -0.333333"));
  CHECK(check_error(kSmall, {"algorithm.kind=d2", "topology.weights=lazy-metropolis"}) == "no error");
  CHECK_THAT(check_error(kSmall, {"algorithm.kind=exact-diffusion", "compression.kind=top-k"}),
             Contains("compression.kind: exact-diffusion sends exact models"));
  CHECK_THAT(check_error(kSmall, {"algorithm.kind=beer", "algorithm.gamma=1.5"}),
             Contains("algorithm.gamma: 1.5 is above 1, which beer does not take"));
  CHECK_THAT(check_error(kSmall, {"algorithm.kind=beer", "topology.kind=one-peer-exponential"}),
             Contains("topology.kind: beer needs a fixed graph"));
  CHECK_THAT(check_error(kSmall, {"algorithm.kind=choco-sgd", "algorithm.order=gradient-then-gossip"}),
             Contains("algorithm.order: choco-sgd has no choice of order"));
  CHECK_THAT(check_error(kSmall, {"algorithm.order=gradient-first"}), Contains("algorithm.order"));
  CHECK_THAT(check_error(kSmall, {"algorithm.momentum_kind=quasi-global"}),
             Contains("algorithm.momentum_kind: \"quasi-global\" needs algorithm.momentum > 0"));
  CHECK_THAT(check_error(kSmall, {"algorithm.kind=local-sgd", "algorithm.momentum=0.9",
                                  "algorithm.momentum_kind=quasi-global"}),
             Contains("algorithm.momentum_kind: local-sgd has no quasi-global momentum"));
  CHECK_THAT(check_error(kSmall, {"algorithm.momentum=0.9", "algorithm.nesterov=true",
                                  "algorithm.momentum_kind=quasi-global"}),
             Contains("algorithm.nesterov: Nesterov momentum is not defined"));
  const std::string consensus = std::string(kSmall) + "[model]\nkind = \"consensus\"\n";
  CHECK(check_error(consensus, {"algorithm.kind=power-gossip", "algorithm.gamma=1"}) == "no error");
  CHECK_THAT(check_error(consensus, {"algorithm.kind=power-gossip", "algorithm.gamma=1", "algorithm.round_timeout=\"5ms\""}),
             Contains("algorithm.round_timeout: power-gossip needs both ends of every edge in every round"));
  CHECK_THAT(check_error(consensus, {"algorithm.kind=power-gossip", "compression.kind=top-k"}),
             Contains("compression.kind: power-gossip sends exact models"));
  CHECK_THAT(check_error(kSmall, {"algorithm.quasi_global_mu=0.5"}),
             Contains("algorithm.quasi_global_mu: is read only with momentum_kind"));
  CHECK_THAT(check_error(kSmall, {"algorithm.momentum=0.9", "algorithm.momentum_kind=quasi-global",
                                  "algorithm.quasi_global_mu=1"}),
             Contains("algorithm.quasi_global_mu"));
}
