// Readers of directed graph files; see digraph.hpp.
#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>
#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "topologies/digraph.hpp"
#include "topologies/errors.hpp"
#include "topologies/nesting.hpp"

namespace dlsim {
namespace {

// The scenario's node limit, as for undirected files (graph_files.cpp): a
// hostile id must not size the graph.
constexpr std::uint64_t kMaxNodeId = 2'097'150 - 1;

using BoostDigraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property, EdgeAttributes>;

std::string read_all(std::istream& in, std::string_view name) {
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw TopologyError(fmt::format("{}: read error", name));
  return text;
}

void check_nesting(std::string_view text, std::size_t overflow, std::string_view name, std::string_view what) {
  if (overflow == std::string_view::npos) return;
  throw TopologyError(
      fmt::format("{}:{}: {} nested deeper than {} levels", name, line_of(text, overflow), what, kMaxGraphFileNesting));
}

template <typename Source, typename IdOf>
Digraph copy_arcs(const Source& source, std::size_t nodes, IdOf id_of, std::string_view name) {
  std::vector<Arc> arcs;
  for (auto [it, end] = boost::edges(source); it != end; ++it)
    arcs.push_back({id_of(boost::source(*it, source)), id_of(boost::target(*it, source)), source[*it].weight});
  return digraph_from_arcs(nodes, std::move(arcs), name);
}

}  // namespace

Digraph read_directed_edge_list(std::istream& in, std::string_view name) {
  std::vector<Arc> arcs;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> first_line;
  std::uint64_t max_id = 0;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream fields(line);
    std::vector<std::string> tokens;
    for (std::string token; fields >> token;) tokens.push_back(token);
    if (tokens.empty()) continue;
    auto where = [&] { return fmt::format("{}:{}", name, number); };
    if (tokens.size() > 3 || tokens.size() < 2)
      throw TopologyError(fmt::format("{}: expected 'u v [weight]' (an arc u -> v), got {} field{}", where(),
                                      tokens.size(), tokens.size() == 1 ? "" : "s"));
    std::uint64_t ids[2];
    for (int k = 0; k < 2; ++k) {
      const std::string& token = tokens[k];
      auto [ptr, error] = std::from_chars(token.data(), token.data() + token.size(), ids[k]);
      if (error != std::errc{} || ptr != token.data() + token.size() || ids[k] > kMaxNodeId)
        throw TopologyError(fmt::format("{}: node id '{}' is not an integer in 0..{}", where(), token, kMaxNodeId));
    }
    double weight = 1.0;
    if (tokens.size() == 3) {
      const std::string& token = tokens[2];
      auto [ptr, error] = std::from_chars(token.data(), token.data() + token.size(), weight);
      if (error != std::errc{} || ptr != token.data() + token.size() || !std::isfinite(weight) || weight < 0.0)
        throw TopologyError(fmt::format("{}: weight '{}' is not a finite non-negative number", where(), token));
    }
    if (auto [it, fresh] = first_line.emplace(std::pair{ids[0], ids[1]}, number); !fresh)
      throw TopologyError(fmt::format("{}: arc {}->{} repeats line {}", where(), ids[0], ids[1], it->second));
    arcs.push_back({static_cast<std::uint32_t>(ids[0]), static_cast<std::uint32_t>(ids[1]), weight});
    max_id = std::max({max_id, ids[0], ids[1]});
  }
  if (in.bad()) throw TopologyError(fmt::format("{}: read error", name));
  if (arcs.empty()) throw TopologyError(fmt::format("{}: no arcs", name));
  return digraph_from_arcs(max_id + 1, std::move(arcs), name);
}

Digraph read_directed_graphml(std::istream& in, std::string_view name) {
  BoostDigraph graph;
  boost::dynamic_properties properties(boost::ignore_other_properties);
  properties.property("weight", boost::get(&EdgeAttributes::weight, graph));
  std::string text = read_all(in, name);
  check_nesting(text, xml_nesting_overflow(text), name, "XML elements");
  try {
    std::istringstream document(std::move(text));
    boost::read_graphml(document, graph, properties, 0);
  } catch (const std::exception& error) {
    throw TopologyError(fmt::format("{}: not a valid directed GraphML graph: {}", name, error.what()));
  }
  return copy_arcs(graph, boost::num_vertices(graph), [](std::size_t v) { return static_cast<std::uint32_t>(v); },
                   name);
}

Digraph read_directed_dot(std::istream& in, std::string_view name) {
  struct NamedVertex {
    std::string id;
  };
  using DotDigraph =
      boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, NamedVertex, EdgeAttributes>;
  DotDigraph graph;
  boost::dynamic_properties properties(boost::ignore_other_properties);
  properties.property("node_id", boost::get(&NamedVertex::id, graph));
  properties.property("weight", boost::get(&EdgeAttributes::weight, graph));
  const std::string text = read_all(in, name);
  check_nesting(text, dot_nesting_overflow(text), name, "subgraphs");
  try {
    if (!boost::read_graphviz(text, graph, properties, "node_id"))
      throw TopologyError(fmt::format("{}: not a DOT digraph", name));
  } catch (const TopologyError&) {
    throw;
  } catch (const std::exception& error) {
    throw TopologyError(fmt::format("{}: not a valid DOT digraph (topology.directed needs `digraph`): {}", name,
                                    error.what()));
  }
  // As for undirected DOT files: integer names are the ids, other names are numbered in Boost's order.
  const std::size_t count = boost::num_vertices(graph);
  std::vector<std::uint32_t> id(count);
  std::uint64_t max_id = 0;
  bool numeric = true;
  for (std::size_t v = 0; v < count && numeric; ++v) {
    const std::string& label = graph[v].id;
    std::uint64_t value = 0;
    auto [ptr, error] = std::from_chars(label.data(), label.data() + label.size(), value);
    numeric = error == std::errc{} && ptr == label.data() + label.size() && value <= kMaxNodeId;
    id[v] = static_cast<std::uint32_t>(value);
    max_id = std::max(max_id, value);
  }
  if (!numeric) return copy_arcs(graph, count, [](std::size_t v) { return static_cast<std::uint32_t>(v); }, name);
  return copy_arcs(graph, count == 0 ? 0 : max_id + 1, [&](std::size_t v) { return id[v]; }, name);
}

Digraph read_digraph_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw TopologyError(fmt::format("{}: cannot open graph file", path));
  const auto slash = path.find_last_of('/');
  const auto dot = path.find_last_of('.');
  const std::string extension =
      dot == std::string::npos || (slash != std::string::npos && dot < slash) ? "" : path.substr(dot + 1);
  if (extension == "graphml" || extension == "xml") return read_directed_graphml(in, path);
  if (extension == "dot" || extension == "gv") return read_directed_dot(in, path);
  return read_directed_edge_list(in, path);
}

}  // namespace dlsim
