// Pieces that every family's builder uses: turning a component's complaint
// into bad input at a key, TOML values as component parameters, and the local
// optimiser that [algorithm] describes.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "algorithms/local_optimizer.hpp"
#include "scenario/experiment_builder.hpp"
#include "topologies/params.hpp"

namespace dlsim {

// Runs `build`, turning a component's std::invalid_argument into a ScenarioError at `path`.
template <typename Build>
auto at_key(const Scenario& scenario, std::string_view path, Build build) {
  try {
    return build();
  } catch (const ScenarioError&) {
    throw;
  } catch (const std::invalid_argument& error) {
    fail_at_key(scenario, path, error.what());
  }
}

// A TOML value as text ("torus", "3", "0.5", "true") or as a typed parameter.
std::string toml_to_text(const toml::node& node);
ParamValue toml_to_param(const toml::node& node);

// The start that model.init (or its older spelling model.initial_point, a
// list) asks for, checked against the model's dimension: "zeros", "random"
// (Model::initialize_random from the run's model.init stream), a list, or
// "file:PATH" (models/parameter_file.hpp). Nothing for "auto": each algorithm
// then starts from Model::initialize, as before the key existed.
std::optional<std::vector<double>> chosen_initial_model(const Scenario& scenario, const Model& model);

// The local optimiser of [algorithm] (schedule, momentum, weight decay), checked.
LocalOptimizerConfig build_optimizer(const Scenario& scenario);

}  // namespace dlsim
