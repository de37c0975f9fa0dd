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

#include "topologies/detail/boost_file_reading.hpp"
#include "topologies/errors.hpp"
#include "topologies/nesting.hpp"

namespace dlsim {
namespace {

using detail::kMaxGraphFileNodeId;

std::string_view extension_of(std::string_view path) {
  const auto slash = path.find_last_of('/');
  const auto dot = path.find_last_of('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return "";
  return path.substr(dot + 1);
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
    const std::optional<detail::EdgeListLine> parsed = detail::parse_edge_list_line(line, name, number, "'u v [weight]'");
    if (!parsed) continue;
    auto where = [&] { return fmt::format("{}:{}", name, number); };
    const std::uint64_t* ids = parsed->ids;
    const double weight = parsed->weight;
    any_weight = any_weight || parsed->weighted;
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
  detail::read_graphml_into(graph, in, name, "undirected");
  // Boost accepts repeated edges and self-loops; we do not.
  return simple_copy(graph, name);
}

Graph read_dot(std::istream& in, std::string_view name) {
  detail::DotGraph<boost::undirectedS> graph;
  detail::read_dot_into(graph, in, name, "undirected DOT graph", "DOT graph");
  const std::optional<std::vector<std::uint32_t>> id = detail::numeric_dot_ids(graph);
  if (!id) return simple_copy(graph, name);
  std::vector<EdgePair> edges;
  std::vector<double> weights;
  std::uint32_t max_id = 0;
  for (std::uint32_t value : *id) max_id = std::max(max_id, value);
  for (auto [it, end] = boost::edges(graph); it != end; ++it) {
    edges.emplace_back((*id)[boost::source(*it, graph)], (*id)[boost::target(*it, graph)]);
    weights.push_back(graph[*it].weight);
  }
  Graph result = graph_from_edges(id->empty() ? 0 : std::size_t{max_id} + 1, edges, name);
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
