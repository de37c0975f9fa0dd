#include "topologies/graph.hpp"

#include <catch2/catch.hpp>

#include "topologies/errors.hpp"
#include "topologies/generators.hpp"

using namespace dlsim;
using Catch::Matchers::Contains;

TEST_CASE("graph_from_edges rejects what is not a simple graph") {
  const std::vector<EdgePair> loop = {{0, 1}, {2, 2}};
  CHECK_THROWS_WITH(graph_from_edges(3, loop, "g"), Contains("g: self-loop on node 2"));
  const std::vector<EdgePair> twice = {{0, 1}, {1, 0}};
  CHECK_THROWS_WITH(graph_from_edges(3, twice, "g"), Contains("edge 0-1 appears twice"));
  const std::vector<EdgePair> outside = {{0, 5}};
  CHECK_THROWS_AS(graph_from_edges(3, outside, "g"), TopologyError);
}

TEST_CASE("graph facts: degrees, connectivity, diameter") {
  const GraphFacts ring = graph_facts(ring_graph(9));
  CHECK(ring.nodes == 9);
  CHECK(ring.edges == 9);
  CHECK(ring.degree_min == 2);
  CHECK(ring.degree_max == 2);
  CHECK(ring.degree_mean == 2.0);
  CHECK(ring.diameter == 4);
  CHECK(ring.diameter_exact);
  CHECK(graph_facts(hypercube_graph(32)).diameter == 5);
  CHECK(graph_facts(torus_graph(4, 6)).diameter == 2 + 3);
  CHECK(graph_facts(star_graph(10)).diameter == 2);
  CHECK(graph_facts(social_network_graph()).diameter == 4);
  // Past the work limit the double sweep is used; on a path it is exact.
  const GraphFacts path = graph_facts(path_graph(1000), 1.0);
  CHECK_FALSE(path.diameter_exact);
  CHECK(path.diameter == 999);
  const std::vector<EdgePair> two_parts = {{0, 1}, {2, 3}};
  const GraphFacts split = graph_facts(graph_from_edges(5, two_parts));
  CHECK_FALSE(split.connected);
  CHECK(split.components == 3);
  CHECK(split.degree_min == 0);
}
