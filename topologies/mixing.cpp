// Mixing matrices from degrees.
#include "topologies/mixing.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "topologies/errors.hpp"
#include "topologies/generators.hpp"

namespace dlsim {

const std::vector<MixingRuleInfo>& mixing_rules() {
  static const std::vector<MixingRuleInfo> rules = {
      {MixingRule::metropolis, "metropolis", "w_ij = 1/(1 + max(d_i, d_j)) (Metropolis-Hastings)"},
      {MixingRule::metropolis_choco, "metropolis-choco",
       "w_ij = 1/max(d_i, d_j), as in the CHOCO-SGD code; self-weight may be 0"},
      {MixingRule::max_degree, "max-degree", "w_ij = 1/(1 + max degree) on every edge"},
      {MixingRule::uniform, "uniform", "w_ij = 1/(1 + d) on the closed neighbourhood; regular graphs only"},
      {MixingRule::lazy_metropolis, "lazy-metropolis", "(I + W_metropolis)/2"},
      {MixingRule::lazy_metropolis_choco, "lazy-metropolis-choco", "(I + W_metropolis-choco)/2"},
      {MixingRule::lazy_max_degree, "lazy-max-degree", "(I + W_max-degree)/2"},
      {MixingRule::lazy_uniform, "lazy-uniform", "(I + W_uniform)/2"},
  };
  return rules;
}

std::string_view mixing_rule_name(MixingRule rule) {
  for (const auto& info : mixing_rules()) {
    if (info.rule == rule) return info.name;
  }
  return "?";
}

MixingRule parse_mixing_rule(std::string_view name) {
  std::vector<std::string_view> names;
  for (const auto& info : mixing_rules()) {
    if (info.name == name) return info.rule;
    names.push_back(info.name);
  }
  std::string message = fmt::format("unknown weights '{}'", name);
  if (auto near = nearest_match(name, names); !near.empty()) message += fmt::format(" (did you mean '{}'?)", near);
  message += "; one of";
  for (std::size_t i = 0; i < names.size(); ++i) message += fmt::format("{} {}", i ? "," : "", names[i]);
  throw TopologyError(message);
}

SparseMatrix mixing_matrix(const Graph& graph, MixingRule rule) {
  const std::size_t n = boost::num_vertices(graph);
  std::vector<std::size_t> degree(n);
  std::size_t max_degree = 0;
  for (std::size_t i = 0; i < n; ++i) {
    degree[i] = boost::degree(i, graph);
    max_degree = std::max(max_degree, degree[i]);
  }
  const bool lazy = rule == MixingRule::lazy_metropolis || rule == MixingRule::lazy_metropolis_choco ||
                    rule == MixingRule::lazy_max_degree || rule == MixingRule::lazy_uniform;
  MixingRule base = rule;
  if (rule == MixingRule::lazy_metropolis) base = MixingRule::metropolis;
  if (rule == MixingRule::lazy_metropolis_choco) base = MixingRule::metropolis_choco;
  if (rule == MixingRule::lazy_max_degree) base = MixingRule::max_degree;
  if (rule == MixingRule::lazy_uniform) base = MixingRule::uniform;
  if (base == MixingRule::uniform && n > 0) {
    const auto [low, high] = std::minmax_element(degree.begin(), degree.end());
    if (*low != *high) {
      throw TopologyError(fmt::format(
          "weights {}: needs a regular graph, but degrees range from {} to {}; use metropolis",
          mixing_rule_name(rule), *low, *high));
    }
  }
  auto off_diagonal = [&](std::size_t i, std::size_t j) {
    switch (base) {
      case MixingRule::metropolis: return 1.0 / static_cast<double>(1 + std::max(degree[i], degree[j]));
      case MixingRule::metropolis_choco: return 1.0 / static_cast<double>(std::max(degree[i], degree[j]));
      case MixingRule::max_degree: return 1.0 / static_cast<double>(1 + max_degree);
      default: return 1.0 / static_cast<double>(1 + degree[i]);  // uniform
    }
  };

  // Filled column by column in row order through Eigen's low-level insertBack,
  // which needs no triplet copy: at 10^6 nodes that halves the peak memory.
  SparseMatrix w(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  w.reserve(static_cast<Eigen::Index>(n + 2 * boost::num_edges(graph)));
  std::vector<std::pair<std::size_t, double>> column;
  for (std::size_t j = 0; j < n; ++j) {
    column.clear();
    double off_sum = 0.0;
    for (auto [it, end] = boost::adjacent_vertices(j, graph); it != end; ++it) {
      const double value = off_diagonal(j, *it);
      column.emplace_back(*it, value);
      off_sum += value;
    }
    // Every rule keeps the off-diagonal sum <= 1; clamp the rounding of 1 - sum
    // (e.g. 3 x 1/3) so that a zero self-weight is stored as 0, not -1e-17.
    column.emplace_back(j, std::max(0.0, 1.0 - off_sum));
    std::sort(column.begin(), column.end());
    w.startVec(static_cast<Eigen::Index>(j));
    for (auto [i, value] : column) {
      // Lazy: halve the off-diagonal; the diagonal becomes (1 + w_ii)/2.
      const double stored = !lazy ? value : (i == j ? 0.5 + 0.5 * value : 0.5 * value);
      w.insertBack(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = stored;
    }
  }
  w.finalize();
  return w;
}

SparseMatrix mixing_matrix_from_edge_weights(const Graph& graph) {
  const std::size_t n = boost::num_vertices(graph);
  SparseMatrix w(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  w.reserve(static_cast<Eigen::Index>(n + 2 * boost::num_edges(graph)));
  std::vector<std::pair<std::size_t, double>> column;
  for (std::size_t j = 0; j < n; ++j) {
    column.clear();
    double off_sum = 0.0;
    for (auto [it, end] = boost::out_edges(j, graph); it != end; ++it) {
      const double value = graph[*it].weight;
      column.emplace_back(boost::target(*it, graph), value);
      off_sum += value;
    }
    // W is symmetric, so column j is row j.
    if (!(off_sum <= 1.0 + 1e-12))
      throw TopologyError(fmt::format(
          "row {} of W does not sum to 1: the weights of node {}'s {} edges sum to {:.17g} > 1, leaving it a "
          "negative self-weight", j, j, column.size(), off_sum));
    column.emplace_back(j, std::max(0.0, 1.0 - off_sum));
    std::sort(column.begin(), column.end());
    w.startVec(static_cast<Eigen::Index>(j));
    for (auto [i, value] : column) w.insertBack(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = value;
  }
  w.finalize();
  return w;
}

SparseMatrix one_peer_exponential_mixing(std::size_t n, std::uint64_t round) {
  // Every node has degree 0 or 1 in a round, so Metropolis gives exactly 1/2.
  return mixing_matrix(one_peer_exponential_graph(n, round), MixingRule::metropolis);
}

MixingCheck check_mixing_matrix(const SparseMatrix& w, double tolerance) {
  MixingCheck check;
  const Eigen::Index n = w.rows();
  if (w.cols() != n) throw TopologyError("mixing matrix is not square");
  std::vector<double> row_sum(static_cast<std::size_t>(n), 0.0);
  check.min_entry = w.nonZeros() > 0 ? INFINITY : 0.0;
  const SparseMatrix transposed = w.transpose();
  for (Eigen::Index j = 0; j < n; ++j) {
    double col_sum = 0.0;
    for (SparseMatrix::InnerIterator it(w, j); it; ++it) {
      col_sum += it.value();
      row_sum[static_cast<std::size_t>(it.row())] += it.value();
      check.min_entry = std::min(check.min_entry, it.value());
    }
    check.max_col_sum_error = std::max(check.max_col_sum_error, std::abs(col_sum - 1.0));
  }
  for (double sum : row_sum) check.max_row_sum_error = std::max(check.max_row_sum_error, std::abs(sum - 1.0));
  const SparseMatrix difference = w - transposed;
  for (Eigen::Index j = 0; j < n; ++j) {
    for (SparseMatrix::InnerIterator it(difference, j); it; ++it) {
      check.max_asymmetry = std::max(check.max_asymmetry, std::abs(it.value()));
    }
  }
  check.symmetric = check.max_asymmetry <= tolerance;
  check.doubly_stochastic = check.max_row_sum_error <= tolerance && check.max_col_sum_error <= tolerance;
  check.nonnegative = check.min_entry >= 0.0;
  return check;
}

}  // namespace dlsim
