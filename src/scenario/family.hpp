// Algorithm families: decentralized (nodes on a graph) and federated (a
// server and its clients). A family owns its algorithm kinds, the keys of
// [algorithm] only it reads, the sections only it reads ([topology] for the
// decentralized one, [server] for the federated one) and how it builds its
// part of an experiment. The schema and the experiment builder ask the family
// of algorithm.kind, so adding a family or an algorithm grows no central
// switch: a family is one entry of algorithm_families().
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scenario/experiment_builder.hpp"
#include "scenario/schema.hpp"

namespace dlsim {

struct AlgorithmFamily {
  std::string_view name;  // "decentralized", "federated": also summary.json's key for its figures
  std::vector<std::pair<std::string, std::string>> kinds;  // algorithm.kind values, with one line of help
  std::vector<KeySpec> keys;          // [algorithm] keys only this family reads
  std::vector<std::string> sections;  // sections only this family reads
  std::vector<SectionSpec> section_specs;  // those of them it declares itself (the schema adds them)
  bool byzantine = false;  // simulates the [byzantine] section's nodes (else: refused when it asks for some)
  // Fills the experiment's algorithm part (behaviour maker, evaluated models,
  // metric columns) from the scenario; ScenarioError for what it refuses.
  // Runs after the data and the model are built and before the engine.
  std::function<void(const Scenario&, Experiment&)> build;
  // Runs after the engine's network, compute and faults are built from their
  // sections for experiment.nodes nodes (the federated server adds its node).
  std::function<void(const Scenario&, Experiment&)> finish_engine;
};

// Every family, in the order the reference lists them.
const std::vector<const AlgorithmFamily*>& algorithm_families();
// The family of algorithm kind `kind`; null when no family has it.
const AlgorithmFamily* family_of(std::string_view kind);

// The families, each defined beside the code that builds it.
const AlgorithmFamily& decentralized_family();
const AlgorithmFamily& federated_family();

// A section like [compression]: `kind` (a compressor, or "none", the
// default) and the chosen compressor's parameters as keys.
SectionSpec compressor_section(std::string name, std::string help, std::string kind_help);
// The [aggregator] section of the federated family: `kind` (a robust
// aggregator, "mean" by default) and its parameters as keys.
SectionSpec aggregator_section();

}  // namespace dlsim
