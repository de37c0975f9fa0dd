// The [byzantine] section: how many nodes are Byzantine, which ones and what
// they do. Read here for every family (the decentralized rounds use it now,
// the federated server's clients later), so the keys, the placement and the
// checks are stated once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "data/dataset.hpp"
#include "robust/byzantine_attack.hpp"
#include "scenario/scenario.hpp"
#include "scenario/schema.hpp"
#include "sim/node.hpp"

namespace dlsim {

enum class ByzantinePlacement { random, highest_degree, lowest_degree, list };

// The section's keys, with defaults, for the schema.
std::vector<KeySpec> byzantine_keys();

// Which `f` of `n` nodes are Byzantine, ascending:
//   random          a shuffle of the stream (seed, "byzantine.placement"), first f;
//   highest-degree  the f largest degrees[i], ties by the lower id;
//   lowest-degree   the f smallest, ties by the lower id;
//   list            `list` itself (f is its size).
// degrees (one per node) is needed by the two degree placements only.
// std::invalid_argument for f >= n, a list id outside [0, n) or repeated.
std::vector<NodeId> place_byzantine(ByzantinePlacement placement, std::uint32_t n, std::size_t f,
                                    std::span<const std::size_t> degrees, std::span<const std::int64_t> list,
                                    std::uint64_t seed);

// Whether the scenario asks for any Byzantine node (count, fraction or a list).
bool byzantine_requested(const Scenario& scenario);
// The key that asks for them ("byzantine.count", "byzantine.fraction" or "byzantine.nodes"), for messages.
std::string byzantine_key(const Scenario& scenario);

struct ByzantineChoice {
  std::vector<NodeId> nodes;  // ascending; empty: none
  AttackConfig attack;        // z resolved ("auto": Baruch et al.'s z for n and f)
  std::string placement;
};

// Reads and checks the section for `n` nodes; `degrees` may be empty when the
// family has no graph (the degree placements are then refused). Throws
// ScenarioError naming the key: both count and fraction, f >= n, an unknown or
// repeated list id, nodes without placement = "list", an alie z that cannot be
// derived.
ByzantineChoice read_byzantine(const Scenario& scenario, std::uint32_t n, std::span<const std::size_t> degrees);

// A copy of `data` whose samples held by the `byzantine` nodes (their rows of
// `partition`) have flipped labels: class c -> C - 1 - c (binary: -1 <-> +1).
// The label-flip attack. std::invalid_argument for a regression set or a
// sample held by a Byzantine and an honest node.
Dataset with_flipped_labels(const Dataset& data, const std::vector<std::vector<std::uint32_t>>& partition,
                            std::span<const NodeId> byzantine);

}  // namespace dlsim
