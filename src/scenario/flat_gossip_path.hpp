// When `dlsim run` takes the lean path for exact gossip: FlatGossip
// (algorithms/decentralized/flat_gossip.hpp) on flat arrays instead of
// GossipSgd on the general synchronous-round machinery. The two give
// bit-identical results (models, metrics, messages, bits, events); the flat
// path exists for memory and speed at millions of nodes, so it is taken
// whenever the scenario uses nothing it lacks, and algorithm.flat_gossip =
// "off" keeps the general path (to compare them).
#pragma once

#include "scenario/scenario.hpp"

namespace dlsim {

// Exact gossip (algorithm.kind = "gossip", model.kind = "consensus") with no
// compression, robust combination, Byzantine nodes, privacy, round timeout,
// message loss, crashes or churn, on a fixed undirected graph with at most
// 2^32 - 1 rounds, and algorithm.flat_gossip = "auto".
bool takes_flat_gossip(const Scenario& scenario);

// Whether, on that path, the graph is built straight into flat arrays (no
// Boost graph, no W matrix): a ring or a random regular graph (the same
// edges as the generator's) with Metropolis weights, no relaxation (gamma 1
// or "auto") and more nodes than the summary's spectral figures cover (which
// need W). Everything else goes through the general graph and W, whose rows
// are then copied into flat arrays.
bool builds_flat_graph(const Scenario& scenario);

// Whether the flat path reads a contiguous partition as ranges instead of
// index lists (data.partition = "contiguous"; the builder also needs at least
// one sample per node, else the general partition reports the empty node).
bool reads_contiguous_ranges(const Scenario& scenario);

}  // namespace dlsim
