// Flat adjacency arrays; see neighbour_table.hpp.
#include "topologies/neighbour_table.hpp"

#include <algorithm>

#include "topologies/errors.hpp"
#include "topologies/generators.hpp"

namespace dlsim {

double NeighbourTable::metropolis_self_weight(std::uint32_t i) const {
  if (regular_degree != 0) return 1.0 / static_cast<double>(regular_degree + 1);
  double off_diagonal = 0.0;
  for (std::uint32_t j : neighbours(i)) off_diagonal += metropolis_weight(i, j);
  return 1.0 - off_diagonal;
}

NeighbourTable neighbour_table(const Graph& graph) {
  NeighbourTable table;
  const std::size_t n = boost::num_vertices(graph);
  table.offsets.assign(n + 1, 0);
  for (std::size_t node = 0; node < n; ++node) table.offsets[node + 1] = table.offsets[node] + boost::out_degree(node, graph);
  table.ids.resize(table.offsets[n]);
  for (std::size_t node = 0; node < n; ++node) {
    std::uint64_t at = table.offsets[node];
    for (auto [edge, end] = boost::out_edges(node, graph); edge != end; ++edge)
      table.ids[at++] = static_cast<std::uint32_t>(boost::target(*edge, graph));
    std::sort(table.ids.begin() + static_cast<std::ptrdiff_t>(table.offsets[node]),
              table.ids.begin() + static_cast<std::ptrdiff_t>(at));
  }
  table.regular_degree = n == 0 ? 0 : table.degree(0);
  for (std::size_t node = 1; node < n && table.regular_degree != 0; ++node)
    if (table.degree(static_cast<std::uint32_t>(node)) != table.regular_degree) table.regular_degree = 0;
  return table;
}

NeighbourTable ring_neighbour_table(std::size_t n) {
  if (n < 3) throw TopologyError("ring: needs at least 3 nodes");
  NeighbourTable table;
  table.offsets.resize(n + 1);
  table.ids.resize(2 * n);
  for (std::size_t node = 0; node < n; ++node) {
    table.offsets[node] = 2 * node;
    const auto before = static_cast<std::uint32_t>(node == 0 ? n - 1 : node - 1);
    const auto after = static_cast<std::uint32_t>(node + 1 == n ? 0 : node + 1);
    table.ids[2 * node] = std::min(before, after);
    table.ids[2 * node + 1] = std::max(before, after);
  }
  table.offsets[n] = 2 * n;
  table.regular_degree = 2;
  return table;
}

NeighbourTable random_regular_neighbour_table(std::size_t n, std::size_t d, std::uint64_t seed) {
  NeighbourTable table;
  table.ids = random_regular_pairing(n, d, seed);
  table.offsets.resize(n + 1);
  for (std::size_t node = 0; node <= n; ++node) table.offsets[node] = node * d;
  for (std::size_t node = 0; node < n; ++node)
    std::sort(table.ids.begin() + static_cast<std::ptrdiff_t>(node * d),
              table.ids.begin() + static_cast<std::ptrdiff_t>((node + 1) * d));
  table.regular_degree = d;
  return table;
}

bool is_connected(const NeighbourTable& table) {
  const std::size_t n = table.nodes();
  if (n == 0) return false;
  std::vector<char> seen(n, 0);
  std::vector<std::uint32_t> frontier{0};
  seen[0] = 1;
  std::size_t reached = 1;
  while (!frontier.empty()) {
    const std::uint32_t node = frontier.back();
    frontier.pop_back();
    for (std::uint32_t neighbour : table.neighbours(node))
      if (!seen[neighbour]) {
        seen[neighbour] = 1;
        ++reached;
        frontier.push_back(neighbour);
      }
  }
  return reached == n;
}

}  // namespace dlsim
