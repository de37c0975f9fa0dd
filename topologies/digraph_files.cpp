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

#include "topologies/detail/boost_file_reading.hpp"
#include "topologies/digraph.hpp"
#include "topologies/errors.hpp"
#include "topologies/nesting.hpp"

namespace dlsim {
namespace {

using BoostDigraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property, EdgeAttributes>;

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
    const std::optional<detail::EdgeListLine> parsed =
        detail::parse_edge_list_line(line, name, number, "'u v [weight]' (an arc u -> v)");
    if (!parsed) continue;
    auto where = [&] { return fmt::format("{}:{}", name, number); };
    const std::uint64_t* ids = parsed->ids;
    const double weight = parsed->weight;
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
  detail::read_graphml_into(graph, in, name, "directed");
  return copy_arcs(graph, boost::num_vertices(graph), [](std::size_t v) { return static_cast<std::uint32_t>(v); },
                   name);
}

Digraph read_directed_dot(std::istream& in, std::string_view name) {
  detail::DotGraph<boost::directedS> graph;
  detail::read_dot_into(graph, in, name, "DOT digraph (topology.directed needs `digraph`)", "DOT digraph");
  // As for undirected DOT files: integer names are the ids, other names are numbered in Boost's order.
  const std::size_t count = boost::num_vertices(graph);
  const std::optional<std::vector<std::uint32_t>> id = detail::numeric_dot_ids(graph);
  if (!id) return copy_arcs(graph, count, [](std::size_t v) { return static_cast<std::uint32_t>(v); }, name);
  std::uint32_t max_id = 0;
  for (std::uint32_t value : *id) max_id = std::max(max_id, value);
  return copy_arcs(graph, count == 0 ? 0 : std::size_t{max_id} + 1, [&](std::size_t v) { return (*id)[v]; }, name);
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
