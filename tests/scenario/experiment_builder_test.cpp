// check_experiment: every check `dlsim run` makes before it starts, without
// running; and the keys its messages name.
#include "scenario/experiment_builder.hpp"

#include <catch2/catch.hpp>

#include "scenario/experiment.hpp"

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
