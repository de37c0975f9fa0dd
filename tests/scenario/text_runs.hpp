// Running a scenario given as TOML text, for the scenario tests: the run's
// folder, its summary.json, and the one-line message of a refused scenario.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "run_files.hpp"
#include "scenario/experiment.hpp"

namespace dlsim::test {

// D-PSGD on logistic regression, 8 nodes on a ring, 100 samples each, 40
// rounds: the small decentralized run of the privacy tests.
inline const std::string kPrivacyRing = R"(
    name = "private"
    nodes = 8
    [topology]
    kind = "ring"
    [data]
    samples = 800
    test_samples = 200
    features = 10
    [algorithm]
    kind = "d-psgd"
    learning_rate = 0.2
    batch_size = 10
    [stop]
    rounds = 40
    [metrics]
    every_rounds = 10
  )";

// Runs `text` with `overrides` (--set lines) into test_runs/NAME; returns the folder.
inline std::string run_scenario_text(const std::string& name, const std::string& text,
                                     const std::vector<std::string>& overrides, int threads = 1) {
  const std::string dir = out_dir(name);
  run_scenario(parse_scenario(text, name + ".toml", overrides, scenario_schema()), RunOptions{dir, threads, true});
  return dir;
}

inline nlohmann::json summary_of(const std::string& dir) {
  return nlohmann::json::parse(read_file(dir + "/summary.json"));
}

// The ScenarioError a refused scenario gives ("" when it runs); a run that is
// not refused writes to test_runs/DIR_NAME.
inline std::string refusal_of(const std::string& text, const std::vector<std::string>& overrides,
                              const std::string& dir_name) {
  try {
    run_scenario(parse_scenario(text, "refused.toml", overrides, scenario_schema()),
                 RunOptions{out_dir(dir_name), 1, true});
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "";
}

}  // namespace dlsim::test
