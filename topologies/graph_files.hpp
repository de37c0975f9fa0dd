// Reading and writing graph files.
//
// Formats, chosen by the file's extension:
//   .edges .edgelist .txt   edge list: one edge "u v [weight]" per line, node ids
//                           non-negative integers, whitespace separated, '#'
//                           starts a comment; n = largest id + 1
//   .graphml .xml           GraphML (Boost's reader); an edge attribute "weight"
//                           is kept
//   .dot .gv                Graphviz DOT (Boost's reader); an edge attribute
//                           "weight" is kept; nodes named by integers keep
//                           them as ids, other names are numbered in name order
// Every graph read must be simple and undirected: a self-loop, a repeated edge,
// a directed graph or a syntax error throws TopologyError naming the file and,
// for edge lists, the line ("net.edges:12: expected 'u v [weight]', got 4 fields").
// Boost's parsers report positions in their own words, which we pass on.
// Boost's DOT and GraphML parsers recurse per nesting level, so a file nested
// deeper than kMaxGraphFileNesting (256) subgraphs or XML elements is refused
// first ("deep.dot:257: subgraphs nested deeper than 256 levels"; nesting.hpp).
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include "topologies/graph.hpp"

namespace dlsim {

// Reads `path`, choosing the format by extension (unknown: edge list).
Graph read_graph_file(const std::string& path);

// Parsers over a stream; `name` is what error messages call the source.
Graph read_edge_list(std::istream& in, std::string_view name);
Graph read_graphml(std::istream& in, std::string_view name);
Graph read_dot(std::istream& in, std::string_view name);

// Writers. The edge list writes the third column only when some weight is not
// 1; both round-trip through the readers above.
void write_edge_list(std::ostream& out, const Graph& graph);
void write_dot(std::ostream& out, const Graph& graph);
// Writes `path`: DOT for .dot/.gv, otherwise an edge list. Throws
// TopologyError when the file cannot be written.
void write_graph_file(const std::string& path, const Graph& graph);

}  // namespace dlsim
