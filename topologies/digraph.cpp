// Directed graphs, their mixing matrices and SLEM; see digraph.hpp.
#include "topologies/digraph.hpp"

#include <Eigen/Dense>
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>

#include "topologies/errors.hpp"

namespace dlsim {
namespace {

void require_nodes(std::string_view kind, std::size_t n) {
  if (n < 2) throw TopologyError(fmt::format("{}: needs at least 2 nodes, got {}", kind, n));
}

// The nodes reachable from node 0 along the arcs (forward) or against them.
std::vector<char> reached_from_zero(const Digraph& digraph, bool forward) {
  std::vector<std::vector<std::uint32_t>> next(digraph.nodes);
  for (const Arc& arc : digraph.arcs) {
    if (arc.from == arc.to) continue;
    if (forward) next[arc.from].push_back(arc.to);
    else next[arc.to].push_back(arc.from);
  }
  std::vector<char> seen(digraph.nodes, 0);
  std::vector<std::uint32_t> stack{0};
  seen[0] = 1;
  while (!stack.empty()) {
    const std::uint32_t node = stack.back();
    stack.pop_back();
    for (std::uint32_t other : next[node])
      if (!seen[other]) {
        seen[other] = 1;
        stack.push_back(other);
      }
  }
  return seen;
}

// W column by column: column i holds (i, w_ii) and (j, W_ji) for i's out-arcs,
// sorted by row, through insertBack as mixing.cpp does.
template <typename ColumnOf>
SparseMatrix assemble_columns(std::size_t n, std::size_t arcs, ColumnOf column_of) {
  SparseMatrix w(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  w.reserve(static_cast<Eigen::Index>(n + arcs));
  std::vector<std::pair<std::size_t, double>> column;
  for (std::size_t i = 0; i < n; ++i) {
    column.clear();
    column_of(i, column);
    std::sort(column.begin(), column.end());
    w.startVec(static_cast<Eigen::Index>(i));
    for (auto [row, value] : column) w.insertBack(static_cast<Eigen::Index>(row), static_cast<Eigen::Index>(i)) = value;
  }
  w.finalize();
  return w;
}

// Where each node's out-arcs start in the sorted arc list.
std::vector<std::size_t> arc_offsets(const Digraph& digraph) {
  std::vector<std::size_t> offsets(digraph.nodes + 1, 0);
  for (const Arc& arc : digraph.arcs) ++offsets[arc.from + 1];
  for (std::size_t i = 0; i < digraph.nodes; ++i) offsets[i + 1] += offsets[i];
  return offsets;
}

}  // namespace

Digraph digraph_from_arcs(std::size_t nodes, std::vector<Arc> arcs, std::string_view origin) {
  for (const Arc& arc : arcs)
    if (arc.from >= nodes || arc.to >= nodes)
      throw TopologyError(fmt::format("{}: arc {}->{} names a node outside 0..{}", origin, arc.from, arc.to, nodes - 1));
  std::stable_sort(arcs.begin(), arcs.end(),
                   [](const Arc& a, const Arc& b) { return std::tie(a.from, a.to) < std::tie(b.from, b.to); });
  for (std::size_t k = 1; k < arcs.size(); ++k)
    if (arcs[k].from == arcs[k - 1].from && arcs[k].to == arcs[k - 1].to)
      throw TopologyError(fmt::format("{}: arc {}->{} appears twice", origin, arcs[k].from, arcs[k].to));
  return Digraph{nodes, std::move(arcs)};
}

Digraph directed_ring_graph(std::size_t n) {
  require_nodes("directed-ring", n);
  std::vector<Arc> arcs;
  for (std::size_t i = 0; i < n; ++i)
    arcs.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>((i + 1) % n)});
  return digraph_from_arcs(n, std::move(arcs), "directed-ring");
}

Digraph directed_exponential_graph(std::size_t n) {
  require_nodes("directed-exponential", n);
  std::vector<Arc> arcs;
  // 2^k < n: the hops are distinct non-zero residues, so no arc repeats.
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t hop = 1; hop < n; hop <<= 1)
      arcs.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>((i + hop) % n)});
  return digraph_from_arcs(n, std::move(arcs), "directed-exponential");
}

Graph underlying_graph(const Digraph& digraph) {
  std::vector<EdgePair> edges;
  for (const Arc& arc : digraph.arcs)
    if (arc.from != arc.to) edges.emplace_back(std::min(arc.from, arc.to), std::max(arc.from, arc.to));
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  return graph_from_edges(digraph.nodes, edges, "digraph");
}

StrongConnectivity strong_connectivity(const Digraph& digraph) {
  if (digraph.nodes == 0) return {};
  const std::vector<char> forward = reached_from_zero(digraph, true);
  for (std::uint32_t node = 0; node < digraph.nodes; ++node)
    if (!forward[node]) return {false, 0, node};
  const std::vector<char> backward = reached_from_zero(digraph, false);
  for (std::uint32_t node = 0; node < digraph.nodes; ++node)
    if (!backward[node]) return {false, node, 0};
  return {};
}

SparseMatrix column_stochastic_mixing(const Digraph& digraph) {
  const std::vector<std::size_t> offsets = arc_offsets(digraph);
  return assemble_columns(digraph.nodes, digraph.arcs.size(), [&](std::size_t i, auto& column) {
    std::size_t out = 0;
    for (std::size_t k = offsets[i]; k < offsets[i + 1]; ++k) out += digraph.arcs[k].to != i;
    const double share = 1.0 / static_cast<double>(out + 1);
    column.emplace_back(i, share);
    for (std::size_t k = offsets[i]; k < offsets[i + 1]; ++k)
      if (digraph.arcs[k].to != i) column.emplace_back(digraph.arcs[k].to, share);
  });
}

SparseMatrix column_stochastic_from_arc_weights(const Digraph& digraph) {
  const std::vector<std::size_t> offsets = arc_offsets(digraph);
  return assemble_columns(digraph.nodes, digraph.arcs.size(), [&](std::size_t i, auto& column) {
    double out_sum = 0.0, self = 0.0;
    bool stated_self = false;
    for (std::size_t k = offsets[i]; k < offsets[i + 1]; ++k) {
      const Arc& arc = digraph.arcs[k];
      if (arc.to == i) {
        stated_self = true;
        self = arc.weight;
      } else {
        out_sum += arc.weight;
        column.emplace_back(arc.to, arc.weight);
      }
    }
    if (stated_self) {
      if (!(std::abs(self + out_sum - 1.0) <= 1e-9))
        throw TopologyError(fmt::format(
            "column {} of W does not sum to 1: node {}'s self weight {:.17g} and its {} out-arcs sum to {:.17g}", i, i,
            self, offsets[i + 1] - offsets[i] - 1, self + out_sum));
    } else {
      if (!(out_sum <= 1.0 + 1e-12))
        throw TopologyError(fmt::format(
            "column {} of W does not sum to 1: the weights of node {}'s {} out-arcs sum to {:.17g} > 1, leaving it a "
            "negative self weight", i, i, offsets[i + 1] - offsets[i], out_sum));
      self = std::max(0.0, 1.0 - out_sum);  // clamp the rounding of 1 - sum
    }
    column.emplace_back(i, self);
  });
}

DirectedSpectralReport analyze_directed_spectrum(const SparseMatrix& w) {
  if (w.rows() != w.cols() || w.rows() < 2) throw TopologyError("directed spectrum: needs a square W of n >= 2");
  const Eigen::MatrixXd dense = Eigen::MatrixXd(w);
  DirectedSpectralReport report;
  for (Eigen::Index i = 0; i < dense.rows(); ++i)
    report.max_row_sum_error = std::max(report.max_row_sum_error, std::abs(dense.row(i).sum() - 1.0));
  const Eigen::EigenSolver<Eigen::MatrixXd> solver(dense, false);
  if (solver.info() != Eigen::Success) throw std::runtime_error("directed spectrum: the eigenvalue solver failed");
  std::vector<double> moduli;
  for (Eigen::Index i = 0; i < solver.eigenvalues().size(); ++i) moduli.push_back(std::abs(solver.eigenvalues()[i]));
  std::sort(moduli.begin(), moduli.end(), std::greater<>());
  // The largest modulus is W's Perron root 1 (column stochastic); the next is the rate.
  report.slem = moduli[1];
  report.directed_spectral_gap = 1.0 - report.slem;
  return report;
}

}  // namespace dlsim
