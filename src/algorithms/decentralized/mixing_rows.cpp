#include "algorithms/decentralized/mixing_rows.hpp"

#include <algorithm>

namespace dlsim {

std::vector<MixingRow> mixing_rows(const SparseMatrix& w) {
  std::vector<MixingRow> rows(static_cast<std::size_t>(w.outerSize()));
  for (int node = 0; node < w.outerSize(); ++node) {
    MixingRow& row = rows[static_cast<std::size_t>(node)];
    row.self_weight = 0;
    // W is symmetric, so column `node` is also its row; entries come in ascending order.
    for (SparseMatrix::InnerIterator it(w, node); it; ++it) {
      if (it.row() == node) {
        row.self_weight = it.value();
      } else {
        row.neighbours.push_back(static_cast<NodeId>(it.row()));
        row.weights.push_back(it.value());
      }
    }
  }
  return rows;
}

MixingSchedule fixed_mixing(const SparseMatrix& w) { return MixingSchedule{{mixing_rows(w)}}; }

std::vector<MixingRow> directed_mixing_rows(const SparseMatrix& w) {
  std::vector<MixingRow> rows(static_cast<std::size_t>(w.outerSize()));
  for (auto& row : rows) row.self_weight = 0;
  // Column j lists W_ij for the nodes i that j sends to; walking the columns
  // in order fills each row's in-neighbours in ascending order.
  for (int sender = 0; sender < w.outerSize(); ++sender)
    for (SparseMatrix::InnerIterator it(w, sender); it; ++it) {
      MixingRow& row = rows[static_cast<std::size_t>(it.row())];
      if (it.row() == sender) {
        row.self_weight = it.value();
      } else {
        row.neighbours.push_back(static_cast<NodeId>(sender));
        row.weights.push_back(it.value());
        rows[static_cast<std::size_t>(sender)].receivers.push_back(static_cast<NodeId>(it.row()));
      }
    }
  return rows;
}

MixingSchedule fixed_directed_mixing(const SparseMatrix& w) {
  MixingSchedule schedule{{directed_mixing_rows(w)}};
  schedule.directed = true;
  return schedule;
}

MixingSchedule without_silent_nodes(const MixingSchedule& schedule, std::span<const NodeId> silent) {
  MixingSchedule result = schedule;
  auto is_silent = [&](NodeId node) { return std::binary_search(silent.begin(), silent.end(), node); };
  for (auto& rows : result.period)
    for (NodeId node = 0; node < rows.size(); ++node) {
      MixingRow& row = rows[node];
      if (is_silent(node)) {
        row = MixingRow{1.0, {}, {}};
        continue;
      }
      MixingRow kept{row.self_weight, {}, {}};
      for (std::size_t k = 0; k < row.neighbours.size(); ++k) {
        if (is_silent(row.neighbours[k])) {
          kept.self_weight += row.weights[k];
        } else {
          kept.neighbours.push_back(row.neighbours[k]);
          kept.weights.push_back(row.weights[k]);
        }
      }
      row = std::move(kept);
    }
  return result;
}

}  // namespace dlsim
