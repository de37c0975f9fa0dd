// What the undirected (graph_files.cpp) and directed (digraph_files.cpp)
// graph file readers share: reading the whole file under the nesting guard,
// Boost's GraphML and DOT readers with our error messages, and the rule that
// turns DOT node names into ids.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>
#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <istream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "topologies/errors.hpp"
#include "topologies/graph.hpp"
#include "topologies/nesting.hpp"

namespace dlsim::detail {

// Graph files size the graph by their largest id, so a typo'd or hostile id
// (a 13-byte file naming node 2^31 - 2) must not allocate gigabytes before any
// error can show. This guard of the file readers is lower than the engine's
// node limit (32-bit ids); generated graphs are not bound by it.
inline constexpr std::uint64_t kMaxGraphFileNodeId = 2'097'150 - 1;

// The whole stream: Boost's readers take all of it anyway, and the nesting
// guard must see it before they start.
inline std::string read_whole_file(std::istream& in, std::string_view name) {
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw TopologyError(fmt::format("{}: read error", name));
  return text;
}

// Boost's readers recurse once per level: refuse deep files before they start.
inline void check_nesting(std::string_view text, std::size_t overflow, std::string_view name,
                          std::string_view what) {
  if (overflow == std::string_view::npos) return;
  throw TopologyError(fmt::format("{}:{}: {} nested deeper than {} levels", name, line_of(text, overflow), what,
                                  kMaxGraphFileNesting));
}

// Edge weights from a file must be finite and >= 0 (a mixing weight, or the
// basis of one); `name_of(v)` is how the error names node v.
template <typename BoostGraph, typename NameOf>
void check_edge_weights(const BoostGraph& graph, std::string_view name, NameOf name_of) {
  for (auto [it, end] = boost::edges(graph); it != end; ++it) {
    const double weight = graph[*it].weight;
    if (!std::isfinite(weight) || weight < 0.0)
      throw TopologyError(fmt::format("{}: edge {}-{}: weight {} is not a finite non-negative number", name,
                                      name_of(boost::source(*it, graph)), name_of(boost::target(*it, graph)),
                                      weight));
  }
}

// Reads GraphML into a Boost graph with EdgeAttributes edges; `kind` names
// what was expected ("undirected", "directed") in the error.
template <typename BoostGraph>
void read_graphml_into(BoostGraph& graph, std::istream& in, std::string_view name, std::string_view kind) {
  boost::dynamic_properties properties(boost::ignore_other_properties);
  properties.property("weight", boost::get(&EdgeAttributes::weight, graph));
  std::string text = read_whole_file(in, name);
  check_nesting(text, xml_nesting_overflow(text), name, "XML elements");
  try {
    std::istringstream document(std::move(text));
    boost::read_graphml(document, graph, properties, 0);
  } catch (const std::exception& error) {
    throw TopologyError(fmt::format("{}: not a valid {} GraphML graph: {}", name, kind, error.what()));
  }
  check_edge_weights(graph, name, [](std::size_t v) { return v; });
}

// Boost's DOT reader needs a vertex property for the node names.
struct DotVertex {
  std::string id;
};
template <typename Directedness>
using DotGraph = boost::adjacency_list<boost::vecS, boost::vecS, Directedness, DotVertex, EdgeAttributes>;

// Reads DOT into a DotGraph. The errors say "not a valid INVALID: (Boost's
// reason)" or, when Boost reads no graph at all, "not a REFUSED".
template <typename BoostGraph>
void read_dot_into(BoostGraph& graph, std::istream& in, std::string_view name, std::string_view invalid,
                   std::string_view refused) {
  boost::dynamic_properties properties(boost::ignore_other_properties);
  properties.property("node_id", boost::get(&DotVertex::id, graph));
  properties.property("weight", boost::get(&EdgeAttributes::weight, graph));
  const std::string text = read_whole_file(in, name);
  check_nesting(text, dot_nesting_overflow(text), name, "subgraphs");
  bool read = false;
  try {
    read = boost::read_graphviz(text, graph, properties, "node_id");
  } catch (const std::exception& error) {
    throw TopologyError(fmt::format("{}: not a valid {}: {}", name, invalid, error.what()));
  }
  if (!read) throw TopologyError(fmt::format("{}: not a {}", name, refused));
  check_edge_weights(graph, name, [&](std::size_t v) { return graph[v].id; });
}

// Boost numbers DOT nodes in its own order (sorted by name). When every name is
// a non-negative integer within the guard, as in the files we write, the names
// are the ids: returns them per Boost vertex; otherwise nothing (Boost's order stands).
template <typename BoostGraph>
std::optional<std::vector<std::uint32_t>> numeric_dot_ids(const BoostGraph& graph) {
  const std::size_t count = boost::num_vertices(graph);
  std::vector<std::uint32_t> ids(count);
  for (std::size_t v = 0; v < count; ++v) {
    const std::string& label = graph[v].id;
    std::uint64_t value = 0;
    auto [ptr, error] = std::from_chars(label.data(), label.data() + label.size(), value);
    if (error != std::errc{} || ptr != label.data() + label.size() || value > kMaxGraphFileNodeId) return std::nullopt;
    ids[v] = static_cast<std::uint32_t>(value);
  }
  return ids;
}

// One line "u v [weight]" of an edge list, '#' starting a comment.
struct EdgeListLine {
  std::uint64_t ids[2] = {0, 0};
  double weight = 1.0;
  bool weighted = false;
};

// Parses line `number` of edge list `name`: nothing for a blank or comment
// line; ids within the guard, a finite weight >= 0. `shape` is what the error
// says a line should be.
inline std::optional<EdgeListLine> parse_edge_list_line(std::string line, std::string_view name,
                                                        std::size_t number, std::string_view shape) {
  if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
  std::istringstream fields(line);
  std::vector<std::string> tokens;
  for (std::string token; fields >> token;) tokens.push_back(token);
  if (tokens.empty()) return std::nullopt;
  if (tokens.size() > 3 || tokens.size() < 2)
    throw TopologyError(fmt::format("{}:{}: expected {}, got {} field{}", name, number, shape, tokens.size(),
                                    tokens.size() == 1 ? "" : "s"));
  EdgeListLine parsed;
  for (int k = 0; k < 2; ++k) {
    const std::string& token = tokens[k];
    auto [ptr, error] = std::from_chars(token.data(), token.data() + token.size(), parsed.ids[k]);
    if (error != std::errc{} || ptr != token.data() + token.size() || parsed.ids[k] > kMaxGraphFileNodeId)
      throw TopologyError(fmt::format("{}:{}: node id '{}' is not an integer in 0..{}", name, number, token,
                                      kMaxGraphFileNodeId));
  }
  if (tokens.size() == 3) {
    const std::string& token = tokens[2];
    auto [ptr, error] = std::from_chars(token.data(), token.data() + token.size(), parsed.weight);
    if (error != std::errc{} || ptr != token.data() + token.size() || !std::isfinite(parsed.weight) ||
        parsed.weight < 0.0)
      throw TopologyError(fmt::format("{}:{}: weight '{}' is not a finite non-negative number", name, number, token));
    parsed.weighted = true;
  }
  return parsed;
}

}  // namespace dlsim::detail
