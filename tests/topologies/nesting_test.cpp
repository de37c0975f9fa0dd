// The nesting guards in front of Boost's recursive DOT and GraphML readers.
#include "topologies/nesting.hpp"

#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "topologies/errors.hpp"
#include "topologies/graph_files.hpp"

using namespace dlsim;

namespace {

constexpr auto npos = std::string_view::npos;

// "graph G {" on line 1, then one "subgraph sK {" per line: line k + 1 opens level k + 1.
std::string nested_dot(std::size_t subgraphs) {
  std::string text = "graph G {\n";
  for (std::size_t k = 1; k <= subgraphs; ++k) text += "subgraph s" + std::to_string(k) + " {\n";
  text += "0 -- 1\n";
  for (std::size_t k = 0; k <= subgraphs; ++k) text += "}\n";
  return text;
}

// <graphml> and <graph> on lines 1-2, then one (ignored) <nest> element per line below them.
std::string nested_graphml(std::size_t elements) {
  std::string text = "<graphml>\n<graph edgedefault=\"undirected\">\n<node id=\"a\"/><node id=\"b\"/>\n";
  text += "<edge source=\"a\" target=\"b\"/>\n";
  for (std::size_t k = 0; k < elements; ++k) text += "<nest>\n";
  for (std::size_t k = 0; k < elements; ++k) text += "</nest>";
  return text + "</graph></graphml>\n";
}

std::string read_error(Graph (*reader)(std::istream&, std::string_view), const std::string& text,
                       std::string_view name) {
  std::istringstream in(text);
  try {
    reader(in, name);
  } catch (const TopologyError& error) {
    return error.what();
  }
  return "no TopologyError";
}

}  // namespace

TEST_CASE("DOT nested 30,000 subgraphs deep is refused at the level past the limit, not a stack overflow") {
  CHECK(read_error(read_dot, nested_dot(30000), "deep.dot") ==
        "deep.dot:257: subgraphs nested deeper than 256 levels");
  // Anonymous subgraphs nest the same way.
  CHECK(read_error(read_dot, "graph G {" + std::string(100000, '{'), "anon.dot") ==
        "anon.dot:1: subgraphs nested deeper than 256 levels");
}

TEST_CASE("DOT at the nesting limit still reads") {
  std::istringstream in(nested_dot(kMaxGraphFileNesting - 1));
  const Graph graph = read_dot(in, "limit.dot");
  CHECK(boost::num_vertices(graph) == 2);
  CHECK(boost::num_edges(graph) == 1);
}

TEST_CASE("GraphML nested 100,000 elements deep is refused, not a stack overflow") {
  // <graphml> is level 1, <graph> level 2, the k-th <nest> level k + 2 on line k + 4.
  CHECK(read_error(read_graphml, nested_graphml(100000), "deep.graphml") ==
        "deep.graphml:259: XML elements nested deeper than 256 levels");
  std::istringstream in(nested_graphml(kMaxGraphFileNesting - 2));
  CHECK(boost::num_edges(read_graphml(in, "limit.graphml")) == 1);
}

TEST_CASE("DOT depth counts braces only where Boost's lexer sees them") {
  const std::string deep(300, '{');
  CHECK(dot_nesting_overflow("graph G {" + deep) == 9 + 255);
  // Inside quoted strings (with escaped quotes), comments and HTML strings they are text.
  CHECK(dot_nesting_overflow("graph G { a [label=\"" + deep + "\\\"" + deep + "\"] }") == npos);
  CHECK(dot_nesting_overflow("graph G { // " + deep + "\n a }") == npos);
  CHECK(dot_nesting_overflow("graph G { /* " + deep + " */ a }") == npos);
  CHECK(dot_nesting_overflow("# " + deep + "\ngraph G { a }") == npos);
  CHECK(dot_nesting_overflow("graph G { a [label=<<b x='>'>" + deep + "</b><![CDATA[" + deep + "]]>>] }") == npos);
  // A comment ends at '\r' for Boost.Regex's '$': what follows is read again.
  CHECK(dot_nesting_overflow("graph G { // x\r" + deep) != npos);
  // Closing braces in the same places do not hide real depth either.
  CHECK(dot_nesting_overflow("graph G { a [label=\"" + std::string(300, '}') + "\"] " + deep) != npos);
  CHECK(dot_nesting_overflow("graph G { " + std::string(300, '{') + std::string(300, '}') + " }") != npos);
  CHECK(dot_nesting_overflow("graph G { " + std::string(200, '{') + std::string(200, '}') + std::string(200, '{')) ==
        npos);
}

TEST_CASE("XML depth skips comments, CDATA, declarations, DOCTYPE and quoted attributes") {
  std::string opens;
  for (int k = 0; k < 300; ++k) opens += "<a>";
  CHECK(xml_nesting_overflow(opens) == 3 * 256);
  CHECK(xml_nesting_overflow("<?xml version=\"1.0\"?><r><!-- " + opens + " --></r>") == npos);
  CHECK(xml_nesting_overflow("<r><![CDATA[" + opens + "]]></r>") == npos);
  CHECK(xml_nesting_overflow("<!DOCTYPE r [ <!ENTITY x \"" + opens + "\"> ]><r/>") == npos);
  CHECK(xml_nesting_overflow("<r a=\"<b>\" c='>'>" + std::string(300, 'x') + "</r>") == npos);
  std::string empties;
  for (int k = 0; k < 300; ++k) empties += "<a/><b x='1' />";
  CHECK(xml_nesting_overflow("<r>" + empties + "</r>") == npos);
  std::string balanced;
  for (int k = 0; k < 300; ++k) balanced += "<a></a >";
  CHECK(xml_nesting_overflow("<r>" + balanced + "</r>") == npos);
  CHECK(xml_nesting_overflow("<r>" + opens + "</r>") != npos);
}

TEST_CASE("line_of counts from 1") {
  CHECK(line_of("a\nb\nc", 0) == 1);
  CHECK(line_of("a\nb\nc", 2) == 2);
  CHECK(line_of("a\nb\nc", 4) == 3);
}
