// The choice of the flat gossip path; see flat_gossip_path.hpp.
#include "scenario/flat_gossip_path.hpp"

#include <cstdint>
#include <limits>
#include <stdexcept>

#include "scenario/byzantine_section.hpp"
#include "topologies/generators.hpp"

namespace dlsim {

namespace {

// The summary's spectral figures (experiment.cpp) need W up to this many nodes.
constexpr std::int64_t kSpectralSummaryNodes = 4096;

// A fixed undirected graph from a generator or an undirected file.
bool fixed_undirected_graph(const Scenario& scenario) {
  const std::string kind = scenario.text("topology.kind");
  if (kind == "file") return !scenario.boolean("topology.directed");
  const TopologyKind* generator = nullptr;
  try {
    generator = &find_topology_kind(kind);
  } catch (const std::exception&) {
    return false;  // the general path reports it
  }
  if (generator->directed()) return false;
  return !generator->time_varying || scenario.integer("topology.round") != -1;
}

}  // namespace

bool takes_flat_gossip(const Scenario& scenario) {
  return scenario.text("algorithm.kind") == "gossip" && scenario.text("algorithm.flat_gossip") == "auto" &&
         scenario.text("model.kind") == "consensus" && scenario.text("compression.kind") == "none" &&
         scenario.text("algorithm.robust_gossip") == "none" && !byzantine_requested(scenario) &&
         scenario.text("privacy.mechanism") == "none" && !scenario.has("algorithm.round_timeout") &&
         scenario.real("network.loss") == 0 && scenario.real("faults.crash_fraction") == 0 &&
         scenario.real("faults.churn_fraction") == 0 && fixed_undirected_graph(scenario) &&
         scenario.integer("stop.rounds") <= std::int64_t{std::numeric_limits<std::uint32_t>::max()};
}

bool builds_flat_graph(const Scenario& scenario) {
  if (!takes_flat_gossip(scenario)) return false;
  const std::string kind = scenario.text("topology.kind");
  if ((kind != "ring" && kind != "random-regular") || scenario.text("topology.weights") != "metropolis") return false;
  // Only the generator's own parameter, with a value it takes (the general path words any refusal).
  for (const auto& [name, node] : scenario.section_entries("topology"))
    if (name != "kind" && name != "weights" && name != "file" && name != "directed" && name != "d") return false;
  if (kind == "random-regular" && scenario.integer("topology.d") < 1) return false;
  if (!scenario.is_auto("algorithm.gamma") && scenario.real("algorithm.gamma") != 1.0) return false;
  return scenario.integer("nodes") > kSpectralSummaryNodes;
}

bool reads_contiguous_ranges(const Scenario& scenario) {
  return takes_flat_gossip(scenario) && scenario.text("data.partition") == "contiguous";
}

}  // namespace dlsim
