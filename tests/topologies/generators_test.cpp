#include "topologies/generators.hpp"

#include <catch2/catch.hpp>

#include <set>

#include "topologies/errors.hpp"

using namespace dlsim;

namespace {

std::vector<std::size_t> degrees(const Graph& g) {
  std::vector<std::size_t> result;
  for (std::size_t v = 0; v < boost::num_vertices(g); ++v) result.push_back(boost::degree(v, g));
  return result;
}

std::set<EdgePair> edge_set(const Graph& g) {
  std::set<EdgePair> result;
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    auto u = static_cast<std::uint32_t>(boost::source(*it, g));
    auto v = static_cast<std::uint32_t>(boost::target(*it, g));
    result.emplace(std::min(u, v), std::max(u, v));
  }
  return result;
}

bool regular(const Graph& g, std::size_t d) {
  for (auto degree : degrees(g)) {
    if (degree != d) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("deterministic generators have the textbook sizes and degrees") {
  CHECK(boost::num_edges(ring_graph(10)) == 10);
  CHECK(regular(ring_graph(10), 2));
  CHECK(boost::num_edges(path_graph(10)) == 9);
  CHECK(boost::num_edges(torus_graph(3, 5)) == 30);
  CHECK(regular(torus_graph(4, 6), 4));
  CHECK(boost::num_edges(grid_graph(3, 4)) == 3 * 3 + 2 * 4);
  CHECK(boost::num_edges(complete_graph(7)) == 21);
  CHECK(boost::num_edges(star_graph(6)) == 5);
  CHECK(boost::degree(0, star_graph(6)) == 5);
  CHECK(regular(hypercube_graph(16), 4));
  CHECK(boost::num_edges(hypercube_graph(16)) == 32);
  // 16 nodes: hops 1, 2, 4, 8; +8 and -8 coincide, so degree 2 + 2 + 2 + 1 = 7.
  CHECK(regular(exponential_graph(16), 7));
  CHECK(boost::num_edges(dumbbell_graph(10)) == 2 * 10 + 1);
  CHECK(graph_facts(dumbbell_graph(10)).connected);
}

TEST_CASE("social network: the Davis southern women graph") {
  const Graph g = social_network_graph();
  const GraphFacts facts = graph_facts(g);
  CHECK(facts.nodes == 32);
  CHECK(facts.edges == 89);
  CHECK(facts.degree_max == 14);
  CHECK(facts.connected);
  // Bipartite: every edge joins a woman (0-17) to an event (18-31).
  for (auto [u, v] : edge_set(g)) CHECK((u < 18 && v >= 18));
}

TEST_CASE("one-peer exponential rounds are matchings whose union is the hypercube") {
  const std::size_t n = 16;
  CHECK(one_peer_exponential_period(16) == 4);
  CHECK(one_peer_exponential_period(17) == 5);
  for (std::uint64_t t = 0; t < 8; ++t) {
    const Graph round = one_peer_exponential_graph(n, t);
    CHECK(regular(round, 1));
    CHECK(boost::edge(0, std::size_t{1} << (t % 4), round).second);
  }
  CHECK(edge_set(one_peer_exponential_union(n)) == edge_set(hypercube_graph(n)));
  // Not a power of two: some nodes idle in some rounds, never a link outside 0..n-1.
  const Graph odd = one_peer_exponential_graph(12, 3);
  CHECK(boost::num_edges(odd) == 4);  // i xor 8 < 12 only for i in 0..3 and 8..11
}

TEST_CASE("erdos-renyi with a vanishing p: the geometric skip never overflows its integer") {
  // For p < ~1e-18 the skip log(1 - r) / log(1 - p) exceeds any int64 (and is inf
  // for subnormal p): no pair is chosen, so the graph has no edges, never a self-loop.
  for (const double p : {1e-18, 1e-30, 1e-300, 5e-324}) {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      CHECK(boost::num_edges(erdos_renyi_graph(50, p, seed)) == 0);
    }
  }
  CHECK_THROWS_WITH(erdos_renyi_graph(50, 1e-30, 1, true), Catch::Matchers::Contains("no connected G(50, 1e-30)"));
  CHECK(boost::num_edges(erdos_renyi_graph(50, 0.0, 1)) == 0);
  CHECK(boost::num_edges(erdos_renyi_graph(50, 1.0, 1)) == 50 * 49 / 2);
  // A p close to 1 skips nothing: all but a few pairs.
  CHECK(boost::num_edges(erdos_renyi_graph(50, 1.0 - 1e-12, 1)) == 50 * 49 / 2);
}

TEST_CASE("random generators are deterministic in the seed and valid") {
  CHECK(edge_set(random_regular_graph(100, 8, 7)) == edge_set(random_regular_graph(100, 8, 7)));
  CHECK(edge_set(random_regular_graph(100, 8, 7)) != edge_set(random_regular_graph(100, 8, 8)));
  CHECK(regular(random_regular_graph(1000, 8, 1), 8));
  CHECK(regular(random_regular_graph(11, 10, 3), 10));  // the complete graph, via the dead-end scan
  CHECK(regular(random_regular_graph(9, 2, 3), 2));
  CHECK(edge_set(erdos_renyi_graph(200, 0.05, 3)) == edge_set(erdos_renyi_graph(200, 0.05, 3)));
  CHECK(graph_facts(erdos_renyi_graph(200, 0.03, 3, true)).connected);
  CHECK(boost::num_edges(erdos_renyi_graph(50, 0.0, 1)) == 0);
  CHECK(boost::num_edges(erdos_renyi_graph(50, 1.0, 1)) == 50 * 49 / 2);
  {
    // G(n, p) has p n (n - 1) / 2 edges on average; 2000 nodes, p = 0.01: 19990 +/- 141.
    const double edges = static_cast<double>(boost::num_edges(erdos_renyi_graph(2000, 0.01, 5)));
    CHECK(std::abs(edges - 19990.0) < 5 * 141.0);
  }
  CHECK(boost::num_edges(watts_strogatz_graph(100, 6, 0.3, 2)) == 300);  // rewiring keeps the count
  CHECK(edge_set(watts_strogatz_graph(100, 6, 0.0, 2)) == edge_set(watts_strogatz_graph(100, 6, 0.0, 9)));
  const Graph ba = barabasi_albert_graph(500, 3, 4);
  CHECK(boost::num_edges(ba) == 6 + 3 * (500 - 4));  // a 4-clique, then 3 links per node
  CHECK(graph_facts(ba).degree_min == 3);
  CHECK(edge_set(random_geometric_graph(300, 0.1, 1)) == edge_set(random_geometric_graph(300, 0.1, 1)));
  CHECK(graph_facts(random_geometric_graph(500, 0.0, 1, true)).connected);
}

TEST_CASE("random-geometric: a radius covering the square links all, mean degree near n pi r^2") {
  CHECK(boost::num_edges(random_geometric_graph(40, 1.5, 3)) == 40 * 39 / 2);
  const Graph g = random_geometric_graph(2000, 0.05, 3);
  // Mean degree ~ n pi r^2 (less at the border): 2000 * pi * 0.0025 = 15.7.
  CHECK(graph_facts(g).degree_mean > 12.0);
  CHECK(graph_facts(g).degree_mean < 16.0);
}

TEST_CASE("make_topology builds by name with declared parameters") {
  CHECK(boost::num_vertices(make_topology("ring", 12, {}, 0)) == 12);
  CHECK(boost::num_vertices(make_topology("torus", 0, {{"rows", "4"}, {"cols", "5"}}, 0)) == 20);
  CHECK(boost::num_vertices(make_topology("torus", 36, {}, 0)) == 36);
  CHECK(boost::num_vertices(make_topology("grid", 12, {{"rows", "3"}}, 0)) == 12);
  CHECK(boost::num_edges(make_topology("social-network", 0, {}, 0)) == 89);
  CHECK(regular(make_topology("random-regular", 50, {{"d", "6"}}, 1), 6));
  CHECK(regular(make_topology("one-peer-exponential", 8, {{"round", "2"}}, 0), 1));
  CHECK(regular(make_topology("one-peer-exponential", 8, {}, 0), 3));
  for (const auto& kind : topology_kinds()) {
    INFO(kind.name);
    CHECK(!kind.summary.empty());
    for (const auto& param : kind.params) CHECK(!param.help.empty());
  }
}

TEST_CASE("bad generator parameters give errors naming the kind and the rule") {
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(ring_graph(2), Contains("ring") && Contains("at least 3"));
  CHECK_THROWS_WITH(hypercube_graph(12), Contains("hypercube") && Contains("power of two"));
  CHECK_THROWS_WITH(erdos_renyi_graph(10, 1.5, 1), Contains("p=1.5") && Contains("[0, 1]"));
  CHECK_THROWS_WITH(erdos_renyi_graph(10, -0.1, 1), Contains("[0, 1]"));
  CHECK_THROWS_WITH(random_regular_graph(7, 3, 1), Contains("n d must be even"));
  CHECK_THROWS_WITH(random_regular_graph(7, 7, 1), Contains("1..6"));
  CHECK_THROWS_WITH(torus_graph(2, 5), Contains("at least 3"));
  CHECK_THROWS_WITH(watts_strogatz_graph(10, 3, 0.1, 1), Contains("even"));
  CHECK_THROWS_WITH(dumbbell_graph(3), Contains("dumbbell"));
  CHECK_THROWS_AS(make_topology("ring", 2, {}, 0), TopologyError);
  CHECK_THROWS_AS(make_topology("ring", 2, {}, 0), std::invalid_argument);
  CHECK_THROWS_WITH(make_topology("rign", 8, {}, 0), Contains("did you mean 'ring'"));
  CHECK_THROWS_WITH(make_topology("erdos-renyi", 8, {{"q", "0.1"}}, 0),
                    Contains("unknown parameter 'q'") && Contains("did you mean 'p'"));
  CHECK_THROWS_WITH(make_topology("erdos-renyi", 8, {{"p", "abc"}}, 0), Contains("expected a real number"));
  CHECK_THROWS_WITH(make_topology("erdos-renyi", 8, {{"p", "2"}}, 0), Contains("[0, 1]"));
  CHECK_THROWS_WITH(make_topology("random-regular", 9, {{"d", "3"}}, 0), Contains("even"));
  CHECK_THROWS_WITH(make_topology("torus", 14, {}, 0), Contains("no factorisation"));
  CHECK_THROWS_WITH(make_topology("torus", 20, {{"rows", "3"}, {"cols", "5"}}, 0), Contains("--nodes is 20"));
  CHECK_THROWS_WITH(make_topology("ring", 0, {}, 0), Contains("--nodes"));
  CHECK_THROWS_WITH(make_topology("social-network", 20, {}, 0), Contains("32"));
}
