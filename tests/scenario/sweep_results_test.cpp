// The sweep's files: the plan round trip, runs.csv columns, cells and missing rows.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "scenario/sweep_results.hpp"

namespace dlsim {
namespace {

SweepPlan small_plan() {
  SweepPlan plan;
  plan.scenario = "s.toml";
  plan.keys = {"topology.kind", "seed"};
  for (std::size_t i = 0; i < 3; ++i) {
    SweepPoint point;
    point.index = i;
    point.combination = i;
    point.seed = 100 + i;
    point.id = "p" + std::to_string(i);
    point.parameters = {{"topology.kind", "\"a,b\"", "a,b"}, {"seed", std::to_string(i), std::to_string(i)}};
    plan.points.push_back(point);
  }
  return plan;
}

}  // namespace

TEST_CASE("runs.csv: fixed columns, swept keys, status, figures, wall time last") {
  const SweepPlan plan = small_plan();
  PointResult done{"completed", "3 rounds completed", {{"loss", 0.25}, {"round", 3}}, 1.23456};
  PointResult broken{"failed", "bad \"thing\"", {}, 0.5};
  const std::string csv = runs_csv(plan, {done, std::nullopt, broken});
  CHECK(csv ==
        "id,index,repetition,seed,topology.kind,sweep.seed,status,message,loss,round,wall_seconds\n"
        "p0,0,0,100,\"a,b\",0,completed,3 rounds completed,0.25,3,1.235\n"
        "p1,1,0,101,\"a,b\",1,missing,,,,\n"
        "p2,2,0,102,\"a,b\",2,failed,\"bad \"\"thing\"\"\",,,0.500\n");
}

TEST_CASE("The sweep plan and point results round-trip through their files") {
  const SweepPlan plan = small_plan();
  const std::filesystem::path dir = std::filesystem::path(DLSIM_BINARY_DIR) / "tests/scenario/plan_round_trip";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "p0");
  write_file_replacing((dir / "sweep.json").string(), plan_json(plan));
  const SweepPlan read = read_plan((dir / "sweep.json").string());
  CHECK(read.keys == plan.keys);
  REQUIRE(read.points.size() == 3);
  CHECK(read.points[2].id == "p2");
  CHECK(read.points[2].seed == 102);
  CHECK(read.points[2].parameters[0].literal == "\"a,b\"");
  CHECK(runs_csv(read, {std::nullopt, std::nullopt, std::nullopt}) ==
        runs_csv(plan, {std::nullopt, std::nullopt, std::nullopt}));
  CHECK_THROWS_WITH(read_plan((dir / "nothing.json").string()), Catch::Contains("cannot read the sweep plan"));

  CHECK_FALSE(read_point_result((dir / "p0").string()));
  std::ofstream((dir / "p0/summary.json").string())
      << R"({"status": "diverged", "message": "nan", "final": {"loss": null, "round": 7}, "host": {"wall_seconds": 2.5}})";
  const std::optional<PointResult> result = read_point_result((dir / "p0").string());
  REQUIRE(result);
  CHECK(result->status == "diverged");
  CHECK(std::isnan(result->final.at("loss")));
  CHECK(result->final.at("round") == 7);
  CHECK(result->wall_seconds == 2.5);
  const PointResult again = parse_point_result(point_result_json(*result));
  CHECK(again.status == "diverged");
  CHECK(again.final.at("round") == 7);
  CHECK(std::isnan(again.final.at("loss")));
  CHECK(runs_csv(plan, {result, std::nullopt, std::nullopt}).find("p0,0,0,100,\"a,b\",0,diverged,nan,nan,7,2.500\n") !=
        std::string::npos);
}

}  // namespace dlsim
