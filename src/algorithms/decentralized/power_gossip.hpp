// PowerGossip: average consensus with low-rank compressed model differences
// (Vogels, Karimireddy, Jaggi, "Practical low-rank communication compression
// in decentralized deep learning", NeurIPS 2020, Algorithm 1).
//
// A node's vector is viewed as a rows x cols matrix X (rows: the largest
// divisor of d not above sqrt(d); cols = d / rows). For each edge (i, j),
// with i < j, both ends keep the same unit direction v_ij, warm-started from
// the previous step's, and approximate D = X_i - X_j by one step of power
// iteration per round, alternating sides:
//   even rounds: v of length cols; send X v (rows values); p = D v from the two
//                halves; D ~ p v^T; next v = p / ||p||
//   odd rounds:  v of length rows; send X^T v (cols values); q = D^T v;
//                D ~ v q^T; next v = q / ||q||
// and both ends step towards each other on it:
//   X_i -= gamma w_ij D~,  X_j += gamma w_ji D~
// so for a symmetric W the sum of the X_i is kept exactly (up to rounding).
// Each message is per edge (the node sends a different vector to each
// neighbour), of rows or cols fp64 values plus the 64-bit header: about
// sqrt(d) values instead of d. The first direction of edge (i, j) is drawn
// from the stream keyed by (seed, i, "power-gossip", j), the same at both
// ends. Both ends must complete every round together, so a round timeout is
// refused (a missed message would leave their directions apart).
#pragma once

#include "algorithms/decentralized/round_based.hpp"

namespace dlsim {

class PowerGossip final : public RoundBasedAlgorithm {
 public:
  PowerGossip(DecentralizedConfig config, RoundSnapshots* snapshots);

  std::span<const double> model(NodeId node) const override { return nodes_[node].x; }
  std::size_t matrix_rows() const { return rows_; }
  std::size_t matrix_cols() const { return cols_; }

 private:
  struct Edge {
    NodeId neighbour = 0;
    double sign = 1;                 // +1 when this node is the lower id: D = X_low - X_high
    std::vector<double> direction;   // v_ij, unit norm, length cols (even rounds) or rows (odd)
    std::vector<double> product;     // this round's X v or X^T v
  };
  struct NodeState {
    std::vector<double> x;
    std::vector<Edge> edges;  // in the order of the node's mixing row
  };
  std::shared_ptr<const VectorMessage> make_message(Context& ctx, NodeId node, std::uint64_t round,
                                                    std::span<const double> gradient) override;
  std::shared_ptr<const VectorMessage> message_to(NodeId node, NodeId neighbour,
                                                  const std::shared_ptr<const VectorMessage>& message) const override;
  void complete_round(Context& ctx, NodeId node, std::uint64_t round, std::span<const Received> received,
                      std::span<const double> gradient) override;
  std::size_t edge_index(NodeId node, NodeId neighbour) const;

  std::size_t rows_ = 1, cols_ = 1;
  std::vector<NodeState> nodes_;
};

}  // namespace dlsim
