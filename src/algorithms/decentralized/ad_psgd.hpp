// AD-PSGD: asynchronous decentralized parallel SGD (Lian, Zhang, Zhang, Liu,
// "Asynchronous decentralized parallel stochastic gradient descent", ICML
// 2018, Algorithm 1). No rounds and no waiting for the slowest neighbour:
// each node loops
//   1. compute a minibatch gradient g_i at its current model (a compute task);
//   2. average its model with one neighbour j chosen uniformly at random:
//      x_i = x_j = (x_i + x_j) / 2;
//   3. x_i <- x_i - eta_t d_i (the local optimiser's step for g_i).
// The pairwise average is made atomic by messages: i sends x_i to j; j, on
// arrival, applies delta = (x_i - x_j) / 2 to itself and replies with delta;
// i applies -delta on the reply. Each exchange moves the same delta in and
// out, so sum_i x_i changes only by the gradient steps, whatever the
// interleaving with other exchanges. A node answers requests at any time,
// also while computing and after its last step, so a straggler slows only
// its own progress. Messages carry exact fp64 vectors (64-bit header + 64 d).
// "Round" t of a node is its t-th gradient step; nodes reach a round at
// different simulated times.
#pragma once

#include "algorithms/decentralized/round_based.hpp"

namespace dlsim {

class AdPsgd final : public DecentralizedAlgorithm {
 public:
  // Uses mixing.row(i, 0).neighbours as the peers of i (the weights are not used).
  AdPsgd(DecentralizedConfig config, RoundSnapshots* snapshots);
  ~AdPsgd() override;

  void on_start(Context& ctx) override;
  void on_message(Context& ctx, NodeId from, const Message& message) override;
  void on_compute_done(Context& ctx, std::uint64_t tag) override;

  std::span<const double> model(NodeId node) const override { return nodes_[node].x; }
  std::uint64_t rounds_completed(NodeId node) const override { return nodes_[node].steps; }
  std::size_t dimension() const override { return dimension_; }

 private:
  struct NodeState {
    std::vector<double> x;
    std::vector<double> gradient;  // written by the gradient task
    std::vector<double> x_at_gradient;
    std::uint64_t steps = 0;
  };
  void start_step(Context& ctx, NodeState& state);

  DecentralizedConfig config_;
  RoundSnapshots* snapshots_;
  std::size_t dimension_;
  std::vector<NodeState> nodes_;
  std::vector<LocalOptimizer> optimizers_;
  std::unique_ptr<GradientTasks> gradients_;
};

}  // namespace dlsim
