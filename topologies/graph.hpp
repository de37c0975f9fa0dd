// The graph type of dlsim and the facts every report starts from.
//
// A topology is an undirected simple graph (no self-loops, no parallel edges)
// on nodes 0..n-1, stored as a Boost.Graph adjacency list. Both the vertex and
// the edge containers are vectors: a graph is built once and never edited, and
// vectors keep a 10^6-node, 4*10^6-edge graph at about 60 bytes per edge.
#pragma once

#include <boost/graph/adjacency_list.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace dlsim {

// What an edge carries: the optional third column of an edge-list file (a link
// latency or weight, in whatever unit the reader of the graph agrees on). 1.0
// when the source gave none. Mixing rules ignore it; they use degrees only.
struct EdgeAttributes {
  double weight = 1.0;
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS,
                                    boost::no_property, EdgeAttributes, boost::no_property,
                                    boost::vecS>;

// An undirected edge between two node ids.
using EdgePair = std::pair<std::uint32_t, std::uint32_t>;

// Builds the graph on `nodes` nodes with the given edges (in that order, so
// edge iteration order is the input order). Requires every id < nodes, no
// self-loop and no repeated edge; throws TopologyError naming `origin` and the
// offending edge otherwise. Costs O(n + m log m).
Graph graph_from_edges(std::size_t nodes, std::span<const EdgePair> edges,
                       std::string_view origin = "graph");

// Connected components: the component id of every node (ids 0.. in order of
// their smallest node) and the number of components. O(n + m).
struct Components {
  std::vector<std::uint32_t> of_node;
  std::size_t count = 0;
};
Components connected_components(const Graph& graph);

// Diameter and degree statistics.
//
// The exact diameter needs a BFS from every node, O(n (n + m)). Up to
// `exact_diameter_work` (about a second at the default) it is computed
// exactly; beyond, `diameter` is the double-sweep lower bound (Magnien, Latapy
// and Habib, "Fast computation of empirically tight bounds for the diameter of
// massive graphs", JEA 2009: the eccentricity of the node farthest from an
// arbitrary start), which is exact on trees, rings and most sparse graphs but
// is only guaranteed to be a lower bound: `diameter_exact` says which.
// Disconnected graphs have no finite diameter: `diameter` is 0 and
// `connected` false.
struct GraphFacts {
  std::size_t nodes = 0;
  std::size_t edges = 0;
  std::size_t degree_min = 0;
  double degree_mean = 0.0;
  std::size_t degree_max = 0;
  bool connected = false;
  std::size_t components = 0;
  std::size_t diameter = 0;
  bool diameter_exact = true;
};
GraphFacts graph_facts(const Graph& graph, double exact_diameter_work = 2e8);

}  // namespace dlsim
