// Flat mixing weights against the W matrix they are read from, bit for bit.
#include <catch2/catch.hpp>

#include "topologies/errors.hpp"
#include "topologies/flat_mixing.hpp"
#include "topologies/generators.hpp"
#include "topologies/mixing.hpp"
#include "topologies/neighbour_table.hpp"

using namespace dlsim;

namespace {

// Every row of `flat` holds exactly W's entries: the neighbours ascending,
// w_ij and w_ii equal as doubles (==, not within a tolerance).
void check_same_as(const FlatMixing& flat, const SparseMatrix& w) {
  REQUIRE(flat.nodes() == static_cast<std::size_t>(w.outerSize()));
  for (std::uint32_t i = 0; i < flat.nodes(); ++i) {
    std::size_t k = 0;
    for (SparseMatrix::InnerIterator it(w, i); it; ++it) {
      if (static_cast<std::uint32_t>(it.row()) == i) {
        CHECK(flat.self_weight(i) == it.value());
        continue;
      }
      REQUIRE(k < flat.graph.degree(i));
      CHECK(flat.graph.neighbours(i)[k] == static_cast<std::uint32_t>(it.row()));
      CHECK(flat.neighbour_weight(i, k) == it.value());
      ++k;
    }
    CHECK(k == flat.graph.degree(i));
  }
}

}  // namespace

TEST_CASE("Flat mixing holds the rows of W exactly, one shared row for a regular graph", "[flat_mixing]") {
  const Graph regular = random_regular_graph(60, 4, 3);
  const SparseMatrix regular_w = mixing_matrix(regular, MixingRule::metropolis);
  const FlatMixing regular_flat = flat_mixing(regular_w);
  check_same_as(regular_flat, regular_w);
  CHECK(regular_flat.shared_row);
  CHECK(regular_flat.self_weights.empty());
  CHECK(regular_flat.neighbour_weights.empty());
  CHECK(regular_flat.graph.regular_degree == 4);

  // Irregular degrees: a row of its own per node, for several rules.
  const Graph irregular = barabasi_albert_graph(80, 2, 5);
  for (MixingRule rule : {MixingRule::metropolis, MixingRule::max_degree, MixingRule::lazy_metropolis}) {
    const SparseMatrix w = mixing_matrix(irregular, rule);
    const FlatMixing flat = flat_mixing(w);
    check_same_as(flat, w);
    CHECK_FALSE(flat.shared_row);
    CHECK(flat.graph.regular_degree == 0);
  }
  // The Davis southern women graph, degrees 1 to 14.
  const SparseMatrix social = mixing_matrix(social_network_graph(), MixingRule::metropolis);
  check_same_as(flat_mixing(social), social);
}

TEST_CASE("The ring built straight into flat arrays is the ring's Metropolis W bit for bit", "[flat_mixing]") {
  for (std::size_t n : {3, 4, 5, 17, 1000}) {
    const FlatMixing direct = metropolis_ring_mixing(n);
    const SparseMatrix w = mixing_matrix(ring_graph(n), MixingRule::metropolis);
    check_same_as(direct, w);
    CHECK(direct.shared_row);
    // 1 - (1/3 + 1/3) is not 1/3 in floating point: the self-weight must be W's, not 1/(d + 1).
    CHECK(direct.self_weight(0) == std::max(0.0, 1.0 - (1.0 / 3 + 1.0 / 3)));
  }
  CHECK_THROWS_AS(metropolis_ring_mixing(2), TopologyError);
}

TEST_CASE("The random regular graph built straight into flat arrays has the generator's edges and W", "[flat_mixing]") {
  for (std::size_t d : {3, 4}) {
    const Graph graph = random_regular_graph(500, d, 9);
    const NeighbourTable direct = random_regular_neighbour_table(500, d, 9);
    const NeighbourTable via_graph = neighbour_table(graph);
    CHECK(direct.offsets == via_graph.offsets);
    CHECK(direct.ids == via_graph.ids);
    CHECK(direct.regular_degree == d);
    check_same_as(metropolis_regular_mixing(direct), mixing_matrix(graph, MixingRule::metropolis));
    CHECK(is_connected(direct));
  }
  CHECK_THROWS_AS(random_regular_neighbour_table(5, 3, 1), TopologyError);  // n d odd
  CHECK_THROWS_AS(metropolis_regular_mixing(neighbour_table(star_graph(5))), std::invalid_argument);
  // A perfect matching (d = 1) falls apart into pairs; an empty table is not connected.
  CHECK_FALSE(is_connected(random_regular_neighbour_table(10, 1, 1)));
  CHECK_FALSE(is_connected(NeighbourTable{}));
  CHECK(is_connected(ring_neighbour_table(7)));
  CHECK(is_connected(neighbour_table(dumbbell_graph(10))));
}
