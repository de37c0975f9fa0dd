// Fuzzes the reader of GraphML files (Boost's reader) in
// topologies/graph_files.hpp: accepted or TopologyError, and an accepted graph
// keeps the promises of fuzz::require_valid_graph.
#include "graph_check.hpp"

using namespace dlsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in{std::string(fuzz::as_text(data, size))};
  // Built in place: Boost's adjacency_list has no move assignment, and a
  // copy of a graph of 2 million isolated nodes costs seconds under ASan.
  std::optional<Graph> graph;
  if (fuzz::accepts([&] { graph.emplace(read_graphml(in, "fuzz.graphml")); })) fuzz::require_valid_graph(*graph);
  return 0;
}
