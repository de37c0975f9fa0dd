// Graph file readers and writers.
#include "topologies/graph_files.hpp"

#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>
#include <fmt/core.h>
#include <fmt/os.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <istream>
#include <iterator>
#include <map>
#include <ostream>
#include <sstream>
#include <vector>

#include "topologies/errors.hpp"
#include "topologies/nesting.hpp"

namespace dlsim {
namespace {

// The scenario's node limit (2,097,150 nodes): the graph is sized by its
// largest id, so a typo'd or hostile id (a 13-byte file naming node 2^31 - 2)
// must not allocate gigabytes before any error can show.
constexpr std::uint64_t kMaxNodeId = 2'097'150 - 1;

std::string_view extension_of(std::string_view path) {
  const auto slash = path.find_last_of('/');
  const auto dot = path.find_last_of('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return "";
  return path.substr(dot + 1);
}

// The whole stream: Boost's readers take all of it anyway, and the nesting
// guard must see it before they start.
std::string read_all(std::istream& in, std::string_view name) {
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw TopologyError(fmt::format("{}: read error", name));
  return text;
}

// Boost's readers recurse once per level: refuse deep files before they start.
void check_nesting(std::string_view text, std::size_t overflow, std::string_view name,
                   std::string_view what) {
  if (overflow == std::string_view::npos) return;
  throw TopologyError(fmt::format("{}:{}: {} nested deeper than {} levels", name, line_of(text, overflow),
                                  what, kMaxGraphFileNesting));
}

// Copies a graph read by Boost into our type, rejecting what we cannot simulate.
template <typename Source>
Graph simple_copy(const Source& source, std::string_view name) {
  std::vector<EdgePair> edges;
  std::vector<double> weights;
  for (auto [it, end] = boost::edges(source); it != end; ++it) {
    edges.emplace_back(static_cast<std::uint32_t>(boost::source(*it, source)),
                       static_cast<std::uint32_t>(boost::target(*it, source)));
    weights.push_back(source[*it].weight);
  }
  Graph graph = graph_from_edges(boost::num_vertices(source), edges, name);
  std::size_t i = 0;
  for (auto [it, end] = boost::edges(graph); it != end; ++it) graph[*it].weight = weights[i++];
  return graph;
}

}  // namespace

Graph read_edge_list(std::istream& in, std::string_view name) {
  std::vector<EdgePair> edges;
  std::vector<double> weights;
  std::map<EdgePair, std::size_t> first_line;
  std::uint64_t max_id = 0;
  bool any_weight = false;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream fields(line);
    std::vector<std::string> tokens;
    for (std::string token; fields >> token;) tokens.push_back(token);
    if (tokens.empty()) continue;
    auto where = [&] { return fmt::format("{}:{}", name, number); };
    if (tokens.size() > 3 || tokens.size() < 2) {
      throw TopologyError(fmt::format("{}: expected 'u v [weight]', got {} field{}", where(),
                                      tokens.size(), tokens.size() == 1 ? "" : "s"));
    }
    std::uint64_t ids[2];
    for (int k = 0; k < 2; ++k) {
      const std::string& token = tokens[k];
      auto [ptr, error] = std::from_chars(token.data(), token.data() + token.size(), ids[k]);
      if (error != std::errc{} || ptr != token.data() + token.size() || ids[k] > kMaxNodeId) {
        throw TopologyError(fmt::format("{}: node id '{}' is not an integer in 0..{}", where(),
                                        token, kMaxNodeId));
      }
    }
    double weight = 1.0;
    if (tokens.size() == 3) {
      const std::string& token = tokens[2];
      auto [ptr, error] = std::from_chars(token.data(), token.data() + token.size(), weight);
      if (error != std::errc{} || ptr != token.data() + token.size() || !std::isfinite(weight) ||
          weight < 0.0) {
        throw TopologyError(
            fmt::format("{}: weight '{}' is not a finite non-negative number", where(), token));
      }
      any_weight = true;
    }
    if (ids[0] == ids[1]) throw TopologyError(fmt::format("{}: self-loop on node {}", where(), ids[0]));
    const EdgePair key{static_cast<std::uint32_t>(std::min(ids[0], ids[1])),
                       static_cast<std::uint32_t>(std::max(ids[0], ids[1]))};
    if (auto [it, fresh] = first_line.emplace(key, number); !fresh) {
      throw TopologyError(fmt::format("{}: edge {}-{} repeats line {}", where(), ids[0], ids[1],
                                      it->second));
    }
    edges.emplace_back(static_cast<std::uint32_t>(ids[0]), static_cast<std::uint32_t>(ids[1]));
    weights.push_back(weight);
    max_id = std::max({max_id, ids[0], ids[1]});
  }
  if (in.bad()) throw TopologyError(fmt::format("{}: read error", name));
  if (edges.empty()) throw TopologyError(fmt::format("{}: no edges", name));
  Graph graph = graph_from_edges(max_id + 1, edges, name);
  if (any_weight) {
    std::size_t i = 0;
    for (auto [it, end] = boost::edges(graph); it != end; ++it) graph[*it].weight = weights[i++];
  }
  return graph;
}

Graph read_graphml(std::istream& in, std::string_view name) {
  Graph graph;
  boost::dynamic_properties properties(boost::ignore_other_properties);
  properties.property("weight", boost::get(&EdgeAttributes::weight, graph));
  std::string text = read_all(in, name);
  check_nesting(text, xml_nesting_overflow(text), name, "XML elements");
  try {
    std::istringstream document(std::move(text));
    boost::read_graphml(document, graph, properties, 0);
  } catch (const std::exception& error) {
    throw TopologyError(fmt::format("{}: not a valid undirected GraphML graph: {}", name, error.what()));
  }
  // Boost accepts repeated edges and self-loops; we do not.
  return simple_copy(graph, name);
}

Graph read_dot(std::istream& in, std::string_view name) {
  // Boost's DOT reader needs a vertex property for the node names.
  struct NamedVertex {
    std::string id;
  };
  using DotGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, NamedVertex,
                                         EdgeAttributes>;
  DotGraph graph;
  boost::dynamic_properties properties(boost::ignore_other_properties);
  properties.property("node_id", boost::get(&NamedVertex::id, graph));
  properties.property("weight", boost::get(&EdgeAttributes::weight, graph));
  const std::string text = read_all(in, name);
  check_nesting(text, dot_nesting_overflow(text), name, "subgraphs");
  try {
    if (!boost::read_graphviz(text, graph, properties, "node_id")) {
      throw TopologyError(fmt::format("{}: not a DOT graph", name));
    }
  } catch (const TopologyError&) {
    throw;
  } catch (const std::exception& error) {
    throw TopologyError(fmt::format("{}: not a valid undirected DOT graph: {}", name, error.what()));
  }
  // Boost numbers the nodes in its own order (sorted by name). When every name
  // is a non-negative integer, as in the files we write, the names are the ids.
  const std::size_t count = boost::num_vertices(graph);
  std::vector<std::uint32_t> id(count);
  std::uint64_t max_id = 0;
  bool numeric = true;
  for (std::size_t v = 0; v < count && numeric; ++v) {
    const std::string& text = graph[v].id;
    std::uint64_t value = 0;
    auto [ptr, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    numeric = error == std::errc{} && ptr == text.data() + text.size() && value <= kMaxNodeId;
    id[v] = static_cast<std::uint32_t>(value);
    max_id = std::max(max_id, value);
  }
  if (!numeric) return simple_copy(graph, name);
  std::vector<EdgePair> edges;
  std::vector<double> weights;
  for (auto [it, end] = boost::edges(graph); it != end; ++it) {
    edges.emplace_back(id[boost::source(*it, graph)], id[boost::target(*it, graph)]);
    weights.push_back(graph[*it].weight);
  }
  Graph result = graph_from_edges(count == 0 ? 0 : max_id + 1, edges, name);
  std::size_t i = 0;
  for (auto [it, end] = boost::edges(result); it != end; ++it) result[*it].weight = weights[i++];
  return result;
}

Graph read_graph_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw TopologyError(fmt::format("{}: cannot open graph file", path));
  const std::string_view extension = extension_of(path);
  if (extension == "graphml" || extension == "xml") return read_graphml(in, path);
  if (extension == "dot" || extension == "gv") return read_dot(in, path);
  return read_edge_list(in, path);
}

void write_edge_list(std::ostream& out, const Graph& graph) {
  bool weighted = false;
  for (auto [it, end] = boost::edges(graph); it != end; ++it) weighted = weighted || graph[*it].weight != 1.0;
  out << fmt::format("# dlsim edge list: {} nodes, {} edges\n", boost::num_vertices(graph),
                     boost::num_edges(graph));
  for (auto [it, end] = boost::edges(graph); it != end; ++it) {
    const auto u = boost::source(*it, graph), v = boost::target(*it, graph);
    // {} prints the shortest text that reads back as the same double.
    if (weighted) {
      out << fmt::format("{} {} {}\n", u, v, graph[*it].weight);
    } else {
      out << fmt::format("{} {}\n", u, v);
    }
  }
}

void write_dot(std::ostream& out, const Graph& graph) {
  out << "graph dlsim {\n";
  // Every node is listed so that isolated nodes and the numbering survive a round trip.
  for (std::size_t node = 0; node < boost::num_vertices(graph); ++node) out << fmt::format("  {};\n", node);
  for (auto [it, end] = boost::edges(graph); it != end; ++it) {
    const auto u = boost::source(*it, graph), v = boost::target(*it, graph);
    if (graph[*it].weight != 1.0) {
      out << fmt::format("  {} -- {} [weight={}];\n", u, v, graph[*it].weight);
    } else {
      out << fmt::format("  {} -- {};\n", u, v);
    }
  }
  out << "}\n";
}

void write_graph_file(const std::string& path, const Graph& graph) {
  std::ofstream out(path);
  if (!out) throw TopologyError(fmt::format("{}: cannot open for writing", path));
  const std::string_view extension = extension_of(path);
  if (extension == "dot" || extension == "gv") {
    write_dot(out, graph);
  } else {
    write_edge_list(out, graph);
  }
  out.flush();
  if (!out) throw TopologyError(fmt::format("{}: write failed", path));
}

}  // namespace dlsim
