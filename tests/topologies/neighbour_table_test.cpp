// The flat neighbour table against the Boost graph and its Metropolis matrix.
#include <catch2/catch.hpp>

#include <cmath>

#include "topologies/errors.hpp"
#include "topologies/generators.hpp"
#include "topologies/mixing.hpp"
#include "topologies/neighbour_table.hpp"

using namespace dlsim;

namespace {

// Every row and every Metropolis weight of the table equals the graph's and
// mixing_matrix's.
void check_against_graph(const Graph& graph, const NeighbourTable& table) {
  const SparseMatrix w = mixing_matrix(graph, MixingRule::metropolis);
  REQUIRE(table.nodes() == boost::num_vertices(graph));
  for (std::uint32_t i = 0; i < table.nodes(); ++i) {
    REQUIRE(table.degree(i) == boost::out_degree(i, graph));
    for (std::uint32_t j : table.neighbours(i)) {
      CHECK(boost::edge(i, j, graph).second);
      CHECK(std::abs(table.metropolis_weight(i, j) - w.coeff(i, j)) < 1e-15);
    }
    CHECK(std::abs(table.metropolis_self_weight(i) - w.coeff(i, i)) < 1e-15);
  }
}

}  // namespace

TEST_CASE("a neighbour table has the graph's rows, sorted, and its Metropolis weights") {
  const Graph star = star_graph(9);
  const NeighbourTable star_table = neighbour_table(star);
  CHECK(star_table.regular_degree == 0);
  check_against_graph(star, star_table);
  const Graph regular = random_regular_graph(200, 4, 7);
  const NeighbourTable regular_table = neighbour_table(regular);
  CHECK(regular_table.regular_degree == 4);
  check_against_graph(regular, regular_table);
  for (std::uint32_t i = 0; i < regular_table.nodes(); ++i) {
    const auto row = regular_table.neighbours(i);
    CHECK(std::is_sorted(row.begin(), row.end()));
  }
}

TEST_CASE("the ring's table, built without a graph, is the ring graph's table") {
  for (std::size_t n : {3, 4, 11}) {
    const NeighbourTable direct = ring_neighbour_table(n);
    const NeighbourTable via_graph = neighbour_table(ring_graph(n));
    CHECK(direct.offsets == via_graph.offsets);
    CHECK(direct.ids == via_graph.ids);
    CHECK(direct.regular_degree == 2);
    check_against_graph(ring_graph(n), direct);
  }
  CHECK_THROWS_AS(ring_neighbour_table(2), TopologyError);
}
