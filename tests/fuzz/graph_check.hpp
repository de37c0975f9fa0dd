// What every graph reader promises of a graph it returns (topologies/graph_files.hpp),
// checked on each graph a graph fuzz target reads.
#pragma once

#include <cmath>
#include <optional>
#include <sstream>
#include <string>

#include "fuzz_support.hpp"
#include "topologies/graph_files.hpp"

namespace dlsim::fuzz {

// The edges of `graph` as an edge list without its comment line (which counts
// nodes: an edge list cannot hold isolated nodes after the last edge).
inline std::string edge_lines(const Graph& graph) {
  std::stringstream text;
  write_edge_list(text, graph);
  std::string lines, line;
  while (std::getline(text, line))
    if (!line.starts_with('#')) lines += line + '\n';
  return lines;
}

// Simple and undirected with finite non-negative weights (the edge list
// refuses anything else, so the other formats must too), and its edges
// survive the edge-list writer and reader unchanged.
inline void require_valid_graph(const Graph& graph) {
  for (auto [it, end] = boost::edges(graph); it != end; ++it) {
    const double weight = graph[*it].weight;
    require(std::isfinite(weight) && weight >= 0, "edge weights are finite and non-negative");
    require(boost::source(*it, graph) != boost::target(*it, graph), "a graph read has no self-loop");
  }
  if (boost::num_edges(graph) == 0) return;  // the edge list refuses a graph without edges
  const std::string edges = edge_lines(graph);
  std::istringstream text(edges);
  std::optional<Graph> again;
  require(accepts([&] { again.emplace(read_edge_list(text, "round-trip.edges")); }),
          "the edge list written from a graph read is accepted");
  require(edge_lines(*again) == edges, "a graph's edges survive the edge-list writer and reader");
}

}  // namespace dlsim::fuzz
