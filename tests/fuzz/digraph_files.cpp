// Fuzzes the directed graph readers of topologies/digraph.hpp (edge list,
// DOT digraph, GraphML) on the same input: each accepts or throws
// TopologyError, and an accepted digraph has its arcs in range, sorted and
// distinct, with finite non-negative weights, and column-stochastic mixing
// that builds (or, from the weights, a TopologyError naming a column).
#include <cmath>
#include <optional>
#include <sstream>

#include "fuzz_support.hpp"
#include "topologies/digraph.hpp"

using namespace dlsim;

namespace {

void require_valid_digraph(const Digraph& digraph) {
  for (std::size_t k = 0; k < digraph.arcs.size(); ++k) {
    const Arc& arc = digraph.arcs[k];
    fuzz::require(arc.from < digraph.nodes && arc.to < digraph.nodes, "arcs name nodes of the digraph");
    fuzz::require(std::isfinite(arc.weight) && arc.weight >= 0, "arc weights are finite and non-negative");
    if (k > 0) {
      const Arc& before = digraph.arcs[k - 1];
      fuzz::require(before.from < arc.from || (before.from == arc.from && before.to < arc.to),
                    "arcs are sorted and distinct");
    }
  }
  // Mixing only on small digraphs: a dense check would not fit the fuzzer's budget.
  if (digraph.nodes > 2000) return;
  const SparseMatrix uniform = column_stochastic_mixing(digraph);
  fuzz::require(check_mixing_matrix(uniform, 1e-9).max_col_sum_error <= 1e-9, "uniform shares sum to 1 per column");
  fuzz::accepts([&] { column_stochastic_from_arc_weights(digraph); });
  fuzz::accepts([&] { strong_connectivity(digraph); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(fuzz::as_text(data, size));
  std::optional<Digraph> digraph;
  {
    std::istringstream in(text);
    if (fuzz::accepts([&] { digraph.emplace(read_directed_edge_list(in, "fuzz.edges")); })) require_valid_digraph(*digraph);
  }
  {
    std::istringstream in(text);
    digraph.reset();
    if (fuzz::accepts([&] { digraph.emplace(read_directed_dot(in, "fuzz.dot")); })) require_valid_digraph(*digraph);
  }
  {
    std::istringstream in(text);
    digraph.reset();
    if (fuzz::accepts([&] { digraph.emplace(read_directed_graphml(in, "fuzz.graphml")); }))
      require_valid_digraph(*digraph);
  }
  return 0;
}
