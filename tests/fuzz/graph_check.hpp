// What every graph reader promises of a graph it returns (topologies/graph_files.hpp),
// checked on each graph a graph fuzz target reads.
#pragma once

#include <cmath>
#include <sstream>
#include <string>

#include "fuzz_support.hpp"
#include "topologies/graph_files.hpp"

namespace dlsim::fuzz {

// Simple and undirected with finite non-negative weights (the edge list
// refuses anything else, so the other formats must too), and it survives the
// edge-list writer and reader unchanged.
inline void require_valid_graph(const Graph& graph) {
  for (auto [it, end] = boost::edges(graph); it != end; ++it) {
    const double weight = graph[*it].weight;
    require(std::isfinite(weight) && weight >= 0, "edge weights are finite and non-negative");
    require(boost::source(*it, graph) != boost::target(*it, graph), "a graph read has no self-loop");
  }
  if (boost::num_edges(graph) == 0) return;  // the edge list refuses a graph without edges
  std::stringstream text;
  write_edge_list(text, graph);
  Graph again;
  require(accepts([&] { again = read_edge_list(text, "round-trip.edges"); }),
          "the edge list written from a graph read is accepted");
  std::stringstream first, second;
  write_edge_list(first, graph);
  write_edge_list(second, again);
  require(first.str() == second.str(), "a graph survives the edge-list writer and reader");
}

}  // namespace dlsim::fuzz
