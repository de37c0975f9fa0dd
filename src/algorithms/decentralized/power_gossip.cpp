// PowerGossip; see power_gossip.hpp.
#include "algorithms/decentralized/power_gossip.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dlsim {
namespace {

// v / ||v||; a zero v (the two ends agree along it already) becomes e_0, at both ends alike.
void normalise(std::vector<double>& v) {
  double norm = 0;
  for (double value : v) norm += value * value;
  norm = std::sqrt(norm);
  if (norm > 0) {
    for (double& value : v) value /= norm;
  } else {
    std::fill(v.begin(), v.end(), 0.0);
    v.front() = 1.0;
  }
}

}  // namespace

PowerGossip::PowerGossip(DecentralizedConfig config, RoundSnapshots* snapshots)
    : RoundBasedAlgorithm(std::move(config), snapshots, GradientTiming::none) {
  const DecentralizedConfig& c = this->config();
  if (c.compressor)
    throw std::invalid_argument("power-gossip compresses by itself (rank 1): set compression.kind = \"none\"");
  if (c.mixing.time_varying())
    throw std::invalid_argument("power-gossip keeps one direction per edge of a fixed W; time-varying topologies are "
                                "not supported");
  if (c.round_timeout > 0)
    throw std::invalid_argument("power-gossip needs both ends of an edge in every round (their directions must "
                                "agree); a round timeout is not supported");
  if (!(c.gamma > 0 && c.gamma <= 1)) throw std::invalid_argument("power-gossip's step size gamma must be in (0, 1]");
  const std::size_t d = dimension();
  for (std::size_t r = 1; r * r <= d; ++r)
    if (d % r == 0) rows_ = r;
  cols_ = d / rows_;
  nodes_.resize(c.nodes);
  for (NodeId node = 0; node < c.nodes; ++node) {
    NodeState& state = nodes_[node];
    state.x = initial_model(node);
    for (NodeId neighbour : c.mixing.row(node, 0).neighbours) {
      Edge edge;
      edge.neighbour = neighbour;
      edge.sign = node < neighbour ? 1.0 : -1.0;
      // Keyed by the edge, lower id first: both ends draw the same direction.
      RandomStream stream(c.seed, std::min(node, neighbour), purpose_id("power-gossip"), std::max(node, neighbour));
      edge.direction.resize(cols_);
      for (double& value : edge.direction) value = stream.normal();
      normalise(edge.direction);
      state.edges.push_back(std::move(edge));
    }
  }
}

std::size_t PowerGossip::edge_index(NodeId node, NodeId neighbour) const {
  const std::vector<NodeId>& neighbours = config().mixing.row(node, 0).neighbours;
  return static_cast<std::size_t>(std::lower_bound(neighbours.begin(), neighbours.end(), neighbour) -
                                  neighbours.begin());
}

std::shared_ptr<const VectorMessage> PowerGossip::make_message(Context&, NodeId node, std::uint64_t round,
                                                               std::span<const double>) {
  NodeState& state = nodes_[node];
  const bool right = round % 2 == 0;  // X v (v of length cols), else X^T v
  // The bundle of every edge's product, sliced per neighbour by message_to.
  auto bundle = std::make_shared<VectorMessage>();
  bundle->round = round;
  for (Edge& edge : state.edges) {
    edge.product.assign(right ? rows_ : cols_, 0.0);
    for (std::size_t r = 0; r < rows_; ++r)
      for (std::size_t c = 0; c < cols_; ++c) {
        const double value = state.x[r * cols_ + c];
        if (right) edge.product[r] += value * edge.direction[c];
        else edge.product[c] += value * edge.direction[r];
      }
    bundle->exact.insert(bundle->exact.end(), edge.product.begin(), edge.product.end());
  }
  return bundle;
}

std::shared_ptr<const VectorMessage> PowerGossip::message_to(NodeId node, NodeId neighbour,
                                                             const std::shared_ptr<const VectorMessage>& message) const {
  const std::size_t length = message->round % 2 == 0 ? rows_ : cols_;
  const std::size_t k = edge_index(node, neighbour);
  auto slice = std::make_shared<VectorMessage>();
  slice->round = message->round;
  slice->exact.assign(message->exact.begin() + static_cast<std::ptrdiff_t>(k * length),
                      message->exact.begin() + static_cast<std::ptrdiff_t>((k + 1) * length));
  return slice;
}

void PowerGossip::complete_round(Context&, NodeId node, std::uint64_t round, std::span<const Received> received,
                                 std::span<const double>) {
  NodeState& state = nodes_[node];
  const bool right = round % 2 == 0;
  const double gamma = config().gamma;
  for (const Received& in : received) {
    Edge& edge = state.edges[edge_index(node, in.from)];
    // D v (or D^T v), the same at both ends: sign (mine - theirs).
    std::vector<double> side(edge.product.size());
    for (std::size_t k = 0; k < side.size(); ++k) side[k] = edge.sign * (edge.product[k] - in.message->exact[k]);
    // X_i -= gamma w_ij sign D~, with D~ = side v^T (even) or v side^T (odd).
    const double step = gamma * in.weight * edge.sign;
    for (std::size_t r = 0; r < rows_; ++r)
      for (std::size_t c = 0; c < cols_; ++c)
        state.x[r * cols_ + c] -= step * (right ? side[r] * edge.direction[c] : edge.direction[r] * side[c]);
    edge.direction = std::move(side);
    normalise(edge.direction);
  }
}

}  // namespace dlsim
