#include "algorithms/decentralized/mixing_rows.hpp"

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

}  // namespace dlsim
