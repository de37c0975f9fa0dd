#include "topologies/graph_files.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include "topologies/digraph.hpp"
#include "topologies/errors.hpp"
#include "topologies/generators.hpp"

using namespace dlsim;
using Catch::Matchers::Contains;

namespace {

const std::string kGraphs = DLSIM_SOURCE_DIR "/topologies/graphs/";

std::set<EdgePair> edge_set(const Graph& g) {
  std::set<EdgePair> result;
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    auto u = static_cast<std::uint32_t>(boost::source(*it, g));
    auto v = static_cast<std::uint32_t>(boost::target(*it, g));
    result.emplace(std::min(u, v), std::max(u, v));
  }
  return result;
}

Graph parse_edges(const std::string& text) {
  std::istringstream in(text);
  return read_edge_list(in, "test.edges");
}

}  // namespace

TEST_CASE("the shipped social network file is the graph built in code") {
  const Graph file = read_graph_file(kGraphs + "social_network.edges");
  CHECK(boost::num_vertices(file) == 32);
  CHECK(edge_set(file) == edge_set(social_network_graph()));
}

TEST_CASE("the shipped GraphML and DOT files read with Boost's parsers") {
  const GraphFacts karate = graph_facts(read_graph_file(kGraphs + "karate_club.graphml"));
  CHECK(karate.nodes == 34);
  CHECK(karate.edges == 78);
  CHECK(karate.connected);
  const GraphFacts petersen = graph_facts(read_graph_file(kGraphs + "petersen.dot"));
  CHECK(petersen.nodes == 10);
  CHECK(petersen.edges == 15);
  CHECK(petersen.degree_min == 3);
  CHECK(petersen.degree_max == 3);
  CHECK(petersen.diameter == 2);
}

TEST_CASE("edge lists: comments, blank lines, weights") {
  const Graph g = parse_edges("# a triangle and a tail\n0 1\n\n1 2 2.5  # slow link\n2 0\n2 3\n");
  CHECK(boost::num_vertices(g) == 4);
  CHECK(boost::num_edges(g) == 4);
  CHECK(g[boost::edge(1, 2, g).first].weight == 2.5);
  CHECK(g[boost::edge(0, 1, g).first].weight == 1.0);
}

TEST_CASE("malformed edge lists name the file and the line") {
  CHECK_THROWS_WITH(parse_edges("0 1\n1 2 3 4\n"), Contains("test.edges:2") && Contains("4 fields"));
  CHECK_THROWS_WITH(parse_edges("0 1\n1 x\n"), Contains("test.edges:2") && Contains("'x'"));
  CHECK_THROWS_WITH(parse_edges("0 1\n-1 2\n"), Contains("test.edges:2"));
  CHECK_THROWS_WITH(parse_edges("0 1\n\n2 2\n"), Contains("test.edges:3: self-loop"));
  CHECK_THROWS_WITH(parse_edges("0 1\n1 2\n1 0\n"), Contains("test.edges:3: edge 1-0 repeats line 1"));
  CHECK_THROWS_WITH(parse_edges("0 1 fast\n"), Contains("test.edges:1: weight 'fast'"));
  CHECK_THROWS_WITH(parse_edges("# nothing\n"), Contains("test.edges: no edges"));
  CHECK_THROWS_AS(read_graph_file("/nonexistent/graph.edges"), TopologyError);
  // Ids size the graph: one beyond the node limit is refused before anything is allocated for it.
  CHECK_THROWS_WITH(parse_edges("0 2147483646\n"), Contains("test.edges:1") && Contains("0..2097149"));
}

TEST_CASE("malformed GraphML and DOT name the file") {
  std::istringstream dot("graph g { 0 -- 1; 1 -- ; }");
  CHECK_THROWS_WITH(read_dot(dot, "bad.dot"), Contains("bad.dot"));
  std::istringstream directed("digraph g { 0 -> 1; }");
  CHECK_THROWS_WITH(read_dot(directed, "dir.dot"), Contains("dir.dot"));
  std::istringstream loops("graph g { 0 -- 1; 1 -- 1; }");
  CHECK_THROWS_WITH(read_dot(loops, "loop.dot"), Contains("loop.dot: self-loop"));
  std::istringstream xml("<graphml><graph edgedefault=\"undirected\"><node id=\"a\"/>");
  CHECK_THROWS_WITH(read_graphml(xml, "bad.graphml"), Contains("bad.graphml"));
}

TEST_CASE("written edge lists and DOT files read back as the same graph") {
  Graph g = random_regular_graph(40, 3, 5);
  g[*boost::edges(g).first].weight = 0.125;
  std::stringstream edges, dot;
  write_edge_list(edges, g);
  write_dot(dot, g);
  const Graph from_edges = read_edge_list(edges, "round-trip.edges");
  const Graph from_dot = read_dot(dot, "round-trip.dot");
  CHECK(edge_set(from_edges) == edge_set(g));
  CHECK(edge_set(from_dot) == edge_set(g));
  const auto [u, v] = std::pair{boost::source(*boost::edges(g).first, g), boost::target(*boost::edges(g).first, g)};
  CHECK(from_edges[boost::edge(u, v, from_edges).first].weight == 0.125);
  CHECK(from_dot[boost::edge(u, v, from_dot).first].weight == 0.125);
}

TEST_CASE("DOT and GraphML edge weights must be finite and non-negative, undirected and directed") {
  std::istringstream negative("graph g {\n 0 -- 1 [weight=-0.25];\n 1 -- 2;\n}\n");
  CHECK_THROWS_WITH(read_dot(negative, "neg.dot"), Contains("neg.dot: edge 0-1: weight -0.25 is not a finite non-negative"));
  std::istringstream directed("digraph g {\n 0 -> 1 [weight=-0.25];\n 1 -> 0;\n}\n");
  CHECK_THROWS_WITH(read_directed_dot(directed, "neg.dot"), Contains("neg.dot: edge 0-1: weight -0.25"));
  std::istringstream graphml(
      "<graphml><key id=\"w\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>"
      "<graph edgedefault=\"undirected\"><node id=\"n0\"/><node id=\"n1\"/>"
      "<edge source=\"n0\" target=\"n1\"><data key=\"w\">nan</data></edge></graph></graphml>");
  CHECK_THROWS_WITH(read_graphml(graphml, "nan.graphml"), Contains("nan.graphml: edge 0-1: weight nan"));
  std::istringstream fine("graph g {\n 0 -- 1 [weight=0.25];\n 1 -- 2;\n}\n");
  CHECK_NOTHROW(read_dot(fine, "fine.dot"));
}
