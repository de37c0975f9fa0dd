// Exact gossip on flat arrays; see flat_gossip.hpp.
#include "algorithms/decentralized/flat_gossip.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "algorithms/vector_message.hpp"
#include "sim/engine.hpp"

namespace dlsim {

void check_flat_gossip(const FlatGossipConfig& config) {
  // GossipSgd's rule, in its words.
  if (!(config.gamma > 0 && std::isfinite(config.gamma)))
    throw std::invalid_argument("gossip's relaxation gamma must be finite and > 0");
  if (!config.mixing) throw std::invalid_argument("a mixing matrix is needed");
  if (config.dimension == 0) throw std::invalid_argument("the model needs at least one parameter");
  if (config.rounds > std::numeric_limits<std::uint32_t>::max())
    throw std::invalid_argument("flat gossip counts rounds in 32 bits");
}

FlatGossip::FlatGossip(FlatGossipConfig config, RoundSnapshots* snapshots)
    : mixing_((check_flat_gossip(config), std::move(config.mixing))),
      graph_(mixing_->graph),
      dimension_(config.dimension),
      rounds_(static_cast<std::uint32_t>(config.rounds)),
      gamma_(config.gamma),
      snapshots_(snapshots),
      x_(std::move(config.initial_models)) {
  const std::size_t n = graph_.nodes();
  if (x_.size() != n * dimension_) throw std::invalid_argument("one initial model of d values per node is needed");
  arrived_.assign(2 * graph_.ids.size() * dimension_, 0.0);
  counts_.assign(2 * n, 0);
  round_.assign(n, 0);
  started_.assign(n, 0);
}

std::size_t FlatGossip::slot(NodeId node, std::uint64_t parity, std::size_t k) const {
  const std::size_t degree = graph_.degree(node);
  return ((2 * graph_.offsets[node]) + parity * degree + k) * dimension_;
}

void FlatGossip::send(Context& ctx, NodeId node) {
  const std::uint32_t round = round_[node];
  const std::int64_t bits = kVectorMessageHeaderBits + 64 * static_cast<std::int64_t>(dimension_);
  // The tag carries the round's parity: a neighbour is at most one round ahead.
  Message message{round & 1u, bits, nullptr, 0};
  if (dimension_ == 1) {
    message.word = std::bit_cast<std::uint64_t>(x_[node]);
  } else {
    auto body = std::make_shared<VectorMessage>();
    body->round = round;
    const std::span<const double> x = model(node);
    body->exact.assign(x.begin(), x.end());
    message.body = std::move(body);
  }
  for (std::uint32_t neighbour : graph_.neighbours(node)) ctx.send(neighbour, message);
}

void FlatGossip::on_start(Context& ctx) {
  const NodeId node = ctx.self();
  // As RoundBasedAlgorithm: round 0 is handed in whatever the evaluation rounds.
  if (snapshots_ && snapshots_->contribute(node, 0, ctx.now(), model(node))) ctx.request_stop();
  started_[node] = 1;
  if (round_[node] >= rounds_) return;
  send(ctx, node);
  advance(ctx, node);
}

void FlatGossip::on_message(Context& ctx, NodeId from, const Message& message) {
  const NodeId node = ctx.self();
  const std::span<const std::uint32_t> neighbours = graph_.neighbours(node);
  const auto it = std::lower_bound(neighbours.begin(), neighbours.end(), from);
  if (it == neighbours.end() || *it != from)
    throw std::logic_error(fmt::format("node {} got a message from {}, not its neighbour", node, from));
  const std::uint64_t parity = message.tag & 1u;
  double* values = arrived_.data() + slot(node, parity, static_cast<std::size_t>(it - neighbours.begin()));
  if (dimension_ == 1) {
    values[0] = std::bit_cast<double>(message.word);
  } else {
    const std::vector<double>& exact = message.body_as<VectorMessage>().exact;
    std::copy(exact.begin(), exact.end(), values);
  }
  ++counts_[2 * std::size_t{node} + parity];
  if (parity == (round_[node] & 1u)) advance(ctx, node);
}

void FlatGossip::advance(Context& ctx, NodeId node) {
  const std::size_t degree = graph_.degree(node);
  const std::size_t d = dimension_;
  double* x = x_.data() + std::size_t{node} * d;
  while (round_[node] < rounds_) {
    const std::uint64_t parity = round_[node] & 1u;
    std::uint32_t& count = counts_[2 * std::size_t{node} + parity];
    if (count < degree) return;
    const double* values = arrived_.data() + slot(node, parity, 0);
    const double self_weight = mixing_->self_weight(node);
    // Component by component, each in the order of RoundBasedAlgorithm::mix
    // (w_ii x_i, then each neighbour's term in ascending order) and of
    // GossipSgd's relaxation: the same roundings, so the same bits.
    for (std::size_t c = 0; c < d; ++c) {
      double mixed = self_weight * x[c];
      for (std::size_t k = 0; k < degree; ++k) mixed += mixing_->neighbour_weight(node, k) * values[k * d + c];
      if (gamma_ != 1.0) mixed = x[c] + gamma_ * (mixed - x[c]);
      x[c] = mixed;
    }
    count = 0;
    ++round_[node];
    if (snapshots_ && snapshots_->wanted(round_[node]) &&
        snapshots_->contribute(node, round_[node], ctx.now(), model(node)))
      ctx.request_stop();
    if (round_[node] < rounds_) send(ctx, node);
  }
}

std::optional<std::uint64_t> FlatGossip::max_node_bits_sent() const {
  const std::uint64_t bits = static_cast<std::uint64_t>(kVectorMessageHeaderBits) + 64 * std::uint64_t{dimension_};
  std::uint64_t most = 0;
  for (NodeId node = 0; node < graph_.nodes(); ++node) {
    if (!started_[node] || rounds_ == 0) continue;
    const std::uint64_t rounds_begun = 1 + std::min<std::uint64_t>(round_[node], rounds_ - 1);
    most = std::max(most, rounds_begun * graph_.degree(node) * bits);
  }
  return most;
}

std::vector<std::string> FlatGossip::waits(const Engine& engine) const {
  std::vector<std::string> clauses;
  for (NodeId node = 0; node < graph_.nodes(); ++node) {
    if (round_[node] >= rounds_) continue;
    if (!engine.is_up(node)) {
      clauses.push_back(fmt::format("node {} is down in round {}", node, round_[node]));
      continue;
    }
    const std::size_t heard = counts_[2 * std::size_t{node} + (round_[node] & 1u)];
    clauses.push_back(fmt::format("node {} waits for round-{} messages from {} of its {} neighbours", node,
                                  round_[node], graph_.degree(node) - heard, graph_.degree(node)));
  }
  return clauses;
}

}  // namespace dlsim
