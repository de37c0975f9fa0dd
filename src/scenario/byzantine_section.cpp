// The [byzantine] section; see byzantine_section.hpp.
#include "scenario/byzantine_section.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "robust/attacks.hpp"
#include "scenario/build_support.hpp"
#include "sim/random.hpp"

namespace dlsim {

std::vector<KeySpec> byzantine_keys() {
  std::vector<std::string> attacks;
  for (std::string_view name : attack_names()) attacks.emplace_back(name);
  return {
      key_spec("count", ValueType::integer, "0", "number of Byzantine nodes f (or give fraction; not both); f < nodes", 0),
      key_spec("fraction", ValueType::real, "0.0", "fraction of Byzantine nodes, f = round(fraction * nodes)", 0, 1),
      choice_spec("placement", {"random", "highest-degree", "lowest-degree", "list"}, "random",
                  "which nodes: random (seeded), the highest or lowest degrees (ties: lower id), or `nodes`"),
      key_spec("nodes", ValueType::integer_list, "[]", "placement = \"list\": the Byzantine node ids", 0),
      choice_spec("attack", attacks, "none",
                  "what they send: none (silent, as crashed: cut out of their neighbours' rows), gaussian, sign-flip, "
                  "scaled-negative-mean, ipm, alie, bit-flip, label-flip, dissensus, min-max, min-sum, mimic"),
      key_spec("sigma", ValueType::real, "1.0", "gaussian: standard deviation of the N(0, sigma^2) coordinates", 0),
      key_spec("scale", ValueType::real, "1.0", "sign-flip: -scale * own model; scaled-negative-mean: -scale * honest mean", 0),
      key_spec("epsilon", ValueType::real, "0.1", "ipm: -epsilon * honest mean; dissensus: epsilon of He et al. (2022)", 0),
      key_spec("z", ValueType::real_or_auto, "\"auto\"",
               "alie: mean - z * std; \"auto\": z = Phi^-1((n - s) / n), s = floor(n/2 + 1) - f (Baruch et al. 2019)"),
      key_spec("probability", ValueType::real, "0.01", "bit-flip: probability of flipping each bit of each fp64 value", 0, 1),
      key_spec("omniscient", ValueType::boolean, "true",
               "attacks on the honest vectors see this round's messages of their honest neighbours (and send after "
               "those reach them); false: those of the previous round"),
      key_spec("per_receiver", ValueType::boolean, "false",
               "gaussian, bit-flip: a different draw for each neighbour (dissensus always differs per receiver)")};
}

std::vector<NodeId> place_byzantine(ByzantinePlacement placement, std::uint32_t n, std::size_t f,
                                    std::span<const std::size_t> degrees, std::span<const std::int64_t> list,
                                    std::uint64_t seed) {
  if (placement == ByzantinePlacement::list) {
    std::vector<NodeId> nodes;
    for (std::int64_t id : list) {
      if (id < 0 || id >= static_cast<std::int64_t>(n))
        throw std::invalid_argument(fmt::format("node {} is not one of the {} nodes (ids 0 to {})", id, n, n - 1));
      nodes.push_back(static_cast<NodeId>(id));
    }
    std::sort(nodes.begin(), nodes.end());
    if (std::adjacent_find(nodes.begin(), nodes.end()) != nodes.end())
      throw std::invalid_argument(
          fmt::format("node {} is listed twice", *std::adjacent_find(nodes.begin(), nodes.end())));
    f = nodes.size();
    if (f >= n)
      throw std::invalid_argument(fmt::format("{} Byzantine nodes of {}: at least one node must be honest", f, n));
    return nodes;
  }
  if (f >= n) throw std::invalid_argument(fmt::format("{} Byzantine nodes of {}: at least one node must be honest", f, n));
  std::vector<NodeId> order(n);
  std::iota(order.begin(), order.end(), 0u);
  if (placement == ByzantinePlacement::random) {
    RandomStream(seed, 0, purpose_id("byzantine.placement")).shuffle(std::span<NodeId>(order));
  } else {
    if (degrees.size() != n) throw std::invalid_argument("a degree placement needs a graph (one degree per node)");
    const bool highest = placement == ByzantinePlacement::highest_degree;
    std::stable_sort(order.begin(), order.end(), [&](NodeId a, NodeId b) {
      return highest ? degrees[a] > degrees[b] : degrees[a] < degrees[b];
    });
  }
  order.resize(f);
  std::sort(order.begin(), order.end());
  return order;
}

bool byzantine_requested(const Scenario& scenario) {
  return scenario.integer("byzantine.count") > 0 || scenario.real("byzantine.fraction") > 0 ||
         !scenario.integers("byzantine.nodes").empty();
}

std::string byzantine_key(const Scenario& scenario) {
  if (scenario.integer("byzantine.count") > 0) return "byzantine.count";
  if (scenario.real("byzantine.fraction") > 0) return "byzantine.fraction";
  return "byzantine.nodes";
}

ByzantineChoice read_byzantine(const Scenario& scenario, std::uint32_t n, std::span<const std::size_t> degrees) {
  ByzantineChoice choice;
  const std::int64_t count = scenario.integer("byzantine.count");
  const double fraction = scenario.real("byzantine.fraction");
  const std::vector<std::int64_t> list = scenario.integers("byzantine.nodes");
  choice.placement = scenario.text("byzantine.placement");
  const ByzantinePlacement placement = choice.placement == "random"           ? ByzantinePlacement::random
                                       : choice.placement == "highest-degree" ? ByzantinePlacement::highest_degree
                                       : choice.placement == "lowest-degree"  ? ByzantinePlacement::lowest_degree
                                                                              : ByzantinePlacement::list;
  if (count > 0 && fraction > 0)
    fail_at_key(scenario, "byzantine.fraction", "give byzantine.count or byzantine.fraction, not both");
  if (placement == ByzantinePlacement::list) {
    if (count > 0 || fraction > 0)
      fail_at_key(scenario, count > 0 ? "byzantine.count" : "byzantine.fraction",
                  "placement = \"list\" takes its Byzantine nodes from byzantine.nodes; leave count and fraction out");
  } else if (!list.empty()) {
    fail_at_key(scenario, "byzantine.nodes", "nodes are for placement = \"list\"");
  }
  if (placement != ByzantinePlacement::list && placement != ByzantinePlacement::random && degrees.empty() &&
      (count > 0 || fraction > 0))
    fail_at_key(scenario, "byzantine.placement", fmt::format("{} needs a graph, and this algorithm has none", choice.placement));
  const std::size_t f = count > 0 ? static_cast<std::size_t>(count)
                                  : static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
  const std::string key = placement == ByzantinePlacement::list ? "byzantine.nodes"
                          : count > 0                            ? "byzantine.count"
                                                                 : "byzantine.fraction";
  choice.nodes = at_key(scenario, key, [&] {
    return place_byzantine(placement, n, f, degrees, list, static_cast<std::uint64_t>(scenario.integer("seed")));
  });

  AttackConfig& attack = choice.attack;
  attack.kind = parse_attack(scenario.text("byzantine.attack"));
  attack.sigma = scenario.real("byzantine.sigma");
  attack.scale = scenario.real("byzantine.scale");
  attack.epsilon = scenario.real("byzantine.epsilon");
  attack.probability = scenario.real("byzantine.probability");
  attack.omniscient = scenario.boolean("byzantine.omniscient");
  attack.per_receiver = scenario.boolean("byzantine.per_receiver");
  if (scenario.is_auto("byzantine.z")) {
    if (attack.kind == AttackKind::alie && !choice.nodes.empty())
      attack.z = at_key(scenario, "byzantine.z", [&] {
        try {
          return alie_z(n, choice.nodes.size());
        } catch (const std::invalid_argument&) {
          throw std::invalid_argument(
              fmt::format("\"auto\" needs f < floor(n/2 + 1) (n = {}, f = {}); give z", n, choice.nodes.size()));
        }
      });
  } else {
    attack.z = scenario.real("byzantine.z");
    if (!std::isfinite(attack.z)) fail_at_key(scenario, "byzantine.z", "z must be finite");
  }
  return choice;
}

Dataset with_flipped_labels(const Dataset& data, const std::vector<std::vector<std::uint32_t>>& partition,
                            std::span<const NodeId> byzantine) {
  if (data.num_classes < 2 || data.classes.size() != data.size())
    throw std::invalid_argument("label-flip needs a classification data set");
  std::vector<char> owner(data.size(), 0);  // 1: honest, 2: Byzantine
  for (NodeId node = 0; node < partition.size(); ++node) {
    const char mark = std::binary_search(byzantine.begin(), byzantine.end(), node) ? 2 : 1;
    for (std::uint32_t row : partition[node]) {
      if (owner[row] != 0 && owner[row] != mark)
        throw std::invalid_argument(fmt::format("sample {} is held by an honest and a Byzantine node", row));
      owner[row] = mark;
    }
  }
  Dataset flipped = data;
  const auto classes = static_cast<std::int64_t>(data.num_classes);
  for (std::size_t row = 0; row < data.size(); ++row) {
    if (owner[row] != 2) continue;
    const auto c = static_cast<std::int32_t>(flip_label(data.classes[row], classes));
    flipped.classes[row] = c;
    flipped.targets[row] = data.num_classes == 2 ? (c == 1 ? 1.0 : -1.0) : static_cast<double>(c);
  }
  return flipped;
}

}  // namespace dlsim
