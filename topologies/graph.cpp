// Graph construction and BFS-based facts.
#include "topologies/graph.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "topologies/errors.hpp"

namespace dlsim {
namespace {

constexpr std::uint32_t kUnreached = std::numeric_limits<std::uint32_t>::max();

// BFS from `source`; fills `distance` (kUnreached elsewhere) and returns the
// farthest node reached and its distance. The queue is a plain vector: BFS
// visits each node once, so the vector is the queue.
std::pair<std::size_t, std::uint32_t> bfs(const Graph& graph, std::size_t source,
                                          std::vector<std::uint32_t>& distance,
                                          std::vector<std::uint32_t>& queue) {
  std::fill(distance.begin(), distance.end(), kUnreached);
  queue.clear();
  distance[source] = 0;
  queue.push_back(static_cast<std::uint32_t>(source));
  std::size_t farthest = source;
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const std::uint32_t node = queue[head];
    if (distance[node] > distance[farthest]) farthest = node;
    for (auto [it, end] = boost::adjacent_vertices(node, graph); it != end; ++it) {
      if (distance[*it] == kUnreached) {
        distance[*it] = distance[node] + 1;
        queue.push_back(static_cast<std::uint32_t>(*it));
      }
    }
  }
  return {farthest, distance[farthest]};
}

}  // namespace

Graph graph_from_edges(std::size_t nodes, std::span<const EdgePair> edges,
                       std::string_view origin) {
  // Sort a copy of the normalised edges to find repeats in O(m log m) without
  // a hash set per node.
  std::vector<EdgePair> sorted;
  sorted.reserve(edges.size());
  for (auto [u, v] : edges) {
    if (u >= nodes || v >= nodes) {
      throw TopologyError(fmt::format("{}: edge {}-{} names a node outside 0..{}", origin, u, v,
                                      nodes == 0 ? 0 : nodes - 1));
    }
    if (u == v) throw TopologyError(fmt::format("{}: self-loop on node {}", origin, u));
    sorted.emplace_back(std::min(u, v), std::max(u, v));
  }
  std::sort(sorted.begin(), sorted.end());
  if (auto repeat = std::adjacent_find(sorted.begin(), sorted.end()); repeat != sorted.end()) {
    throw TopologyError(
        fmt::format("{}: edge {}-{} appears twice", origin, repeat->first, repeat->second));
  }
  Graph graph(nodes);
  for (auto [u, v] : edges) boost::add_edge(u, v, graph);
  return graph;
}

Components connected_components(const Graph& graph) {
  const std::size_t n = boost::num_vertices(graph);
  Components result;
  result.of_node.assign(n, kUnreached);
  std::vector<std::uint32_t> stack;
  for (std::size_t start = 0; start < n; ++start) {
    if (result.of_node[start] != kUnreached) continue;
    const auto id = static_cast<std::uint32_t>(result.count++);
    result.of_node[start] = id;
    stack.assign(1, static_cast<std::uint32_t>(start));
    while (!stack.empty()) {
      const std::uint32_t node = stack.back();
      stack.pop_back();
      for (auto [it, end] = boost::adjacent_vertices(node, graph); it != end; ++it) {
        if (result.of_node[*it] == kUnreached) {
          result.of_node[*it] = id;
          stack.push_back(static_cast<std::uint32_t>(*it));
        }
      }
    }
  }
  return result;
}

GraphFacts graph_facts(const Graph& graph, double exact_diameter_work) {
  GraphFacts facts;
  facts.nodes = boost::num_vertices(graph);
  facts.edges = boost::num_edges(graph);
  if (facts.nodes == 0) return facts;
  facts.degree_min = std::numeric_limits<std::size_t>::max();
  for (std::size_t node = 0; node < facts.nodes; ++node) {
    const std::size_t degree = boost::degree(node, graph);
    facts.degree_min = std::min(facts.degree_min, degree);
    facts.degree_max = std::max(facts.degree_max, degree);
  }
  facts.degree_mean = 2.0 * static_cast<double>(facts.edges) / static_cast<double>(facts.nodes);
  facts.components = connected_components(graph).count;
  facts.connected = facts.components == 1;
  if (!facts.connected) return facts;

  std::vector<std::uint32_t> distance(facts.nodes), queue;
  queue.reserve(facts.nodes);
  const double work = static_cast<double>(facts.nodes) *
                      static_cast<double>(facts.nodes + facts.edges);
  if (work <= exact_diameter_work) {
    for (std::size_t source = 0; source < facts.nodes; ++source) {
      facts.diameter = std::max<std::size_t>(facts.diameter, bfs(graph, source, distance, queue).second);
    }
    facts.diameter_exact = true;
  } else {
    // Double sweep: the farthest node from node 0 is an end of a long shortest path.
    const auto [far, ignored] = bfs(graph, 0, distance, queue);
    facts.diameter = bfs(graph, far, distance, queue).second;
    facts.diameter_exact = false;
  }
  return facts;
}

}  // namespace dlsim
