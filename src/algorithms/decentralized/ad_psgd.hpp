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
//
// Lost messages and outages. Where messages can be lost (loss, crashes,
// churn), a node waits at most config.reply_timeout for the reply and then
// takes its gradient step without averaging, as a real implementation's
// timeout would; the header's round field carries the request's number, so
// a reply that comes after its timeout (or after an outage of the
// requester) is recognised as late and dropped, like a lost reply: the peer
// has then moved halfway to the requester's model and the requester not, so
// the sum of the models changes by that half (only faults change it).
// Applying the stale delta instead would keep the sum but, with many late
// replies, makes the averages unstable. A node back from an outage starts a
// new step.
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
  void on_timer(Context& ctx, std::uint64_t tag) override;

  std::span<const double> model(NodeId node) const override { return nodes_[node].x; }
  std::uint64_t rounds_completed(NodeId node) const override { return nodes_[node].steps; }
  std::size_t dimension() const override { return dimension_; }
  bool resumes_on_rejoin(NodeId node) const override { return nodes_[node].steps < config_.rounds; }
  std::vector<std::string> waits(const Engine& engine) const override;

 private:
  struct NodeState {
    std::vector<double> x;
    std::vector<double> gradient;  // written by the gradient task
    std::vector<double> x_at_gradient;
    std::uint64_t steps = 0;
    std::uint64_t requests_sent = 0;
    std::uint64_t awaited = 0;  // number of the request whose reply finishes this step; 0 = none
    NodeId peer = 0;            // where it went
  };
  void start_step(Context& ctx, NodeState& state);
  // The gradient step after the averaging (or its timeout), then the next step.
  void finish_step(Context& ctx, NodeState& state);

  DecentralizedConfig config_;
  RoundSnapshots* snapshots_;
  std::size_t dimension_;
  std::vector<NodeState> nodes_;
  std::vector<LocalOptimizer> optimizers_;
  std::unique_ptr<GradientTasks> gradients_;
};

}  // namespace dlsim
