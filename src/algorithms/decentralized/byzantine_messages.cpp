// What Byzantine nodes send in synchronous rounds, and the dissensus attack
// (He, Karimireddy, Jaggi, "Byzantine-robust decentralized learning via
// ClippedGossip", 2022, eq. (6)) as its honest receivers see it. See
// "Byzantine nodes" in round_based.hpp.
#include <algorithm>
#include <vector>

#include "algorithms/decentralized/round_based.hpp"
#include "robust/attacks.hpp"

namespace dlsim {
namespace {

// Receivers are below 2^21 (the scenario's node limit), so (round, receiver) is one substream.
std::uint64_t receiver_substream(std::uint64_t round, NodeId receiver) { return (round << 21) | receiver; }

}  // namespace

void RoundBasedAlgorithm::send_attack_if_ready(Context& ctx, RoundState& state, bool expired) {
  if (!state.attack_pending) return;
  const NodeId self = ctx.self();
  const std::uint64_t round = state.round;
  const AttackConfig& attack = config_.attack;
  const MixingRow& row = config_.mixing.row(self, round);
  std::vector<Received>& inbox = state.inbox.current();
  const bool waits = attack.omniscient && attack_uses_honest(attack.kind);
  if (waits && !expired) {
    const auto honest_neighbours = std::count_if(row.neighbours.begin(), row.neighbours.end(),
                                                 [&](NodeId j) { return !byzantine_[j]; });
    const auto honest_arrived =
        std::count_if(inbox.begin(), inbox.end(), [&](const Received& in) { return !byzantine_[in.from]; });
    if (honest_arrived < honest_neighbours) return;
  }
  state.attack_pending = false;
  if (attack.kind == AttackKind::label_flip || attack.kind == AttackKind::dissensus) {
    broadcast(ctx, self, round, state.own_message);
    return;
  }
  // The honest vectors the attacker sees, in sender order (not arrival order).
  std::vector<Received> sources;
  if (attack_uses_honest(attack.kind)) {
    if (waits) {
      for (const Received& in : inbox)
        if (!byzantine_[in.from]) sources.push_back(in);
    } else {
      sources = state.seen_honest;
    }
    std::sort(sources.begin(), sources.end(), [](const Received& a, const Received& b) { return a.from < b.from; });
  }
  const std::span<const double> own = model(self);
  std::vector<std::vector<double>> seen;
  for (const Received& in : sources) {
    seen.emplace_back(dimension_);
    codec_.decode(*in.message, seen.back());
  }
  std::vector<VectorView> views;
  for (const auto& x : seen) views.emplace_back(x);
  if (views.empty()) views.push_back(own);  // nothing honest seen: its own model
  RandomStream compress_rng = ctx.rng(purpose_id("compress"));
  auto encoded = [&](RandomStream& attack_rng) {
    const Eigen::VectorXd vector = byzantine_vector(attack, own, views, attack_rng);
    return codec_.encode(round, std::span<const double>(vector.data(), static_cast<std::size_t>(vector.size())),
                         compress_rng);
  };
  if (attack.per_receiver && attack_is_random(attack.kind)) {
    for (NodeId neighbour : row.neighbours) {
      RandomStream attack_rng(config_.seed, self, purpose_id("byzantine.attack"), receiver_substream(round, neighbour));
      std::shared_ptr<const VectorMessage> message = encoded(attack_rng);
      ctx.send(neighbour, Message{kVectorTag, codec_.bits(*message), message});
    }
    return;
  }
  RandomStream attack_rng(config_.seed, self, purpose_id("byzantine.attack"), round);
  broadcast(ctx, self, round, encoded(attack_rng));
}

std::vector<ReceivedMessage> RoundBasedAlgorithm::with_dissensus(NodeId self, std::uint64_t round,
                                                                 std::span<const Received> received) const {
  std::vector<Received> result(received.begin(), received.end());
  std::vector<std::vector<double>> honest;
  std::vector<double> weights;
  double byzantine_weight = 0;
  for (const Received& in : received) {
    if (byzantine_[in.from]) {
      byzantine_weight += in.weight;
      continue;
    }
    honest.emplace_back(dimension_);
    codec_.decode(*in.message, honest.back());
    weights.push_back(in.weight);
  }
  if (!(byzantine_weight > 0)) return result;
  std::vector<VectorView> views(honest.begin(), honest.end());
  const Eigen::VectorXd pushed = attack_dissensus(model(self), views, weights, byzantine_weight, config_.attack.epsilon);
  const std::span<const double> values(pushed.data(), static_cast<std::size_t>(pushed.size()));
  for (Received& in : result) {
    if (!byzantine_[in.from]) continue;
    RandomStream rng(config_.seed, in.from, purpose_id("byzantine.dissensus"), receiver_substream(round, self));
    in.message = codec_.encode(round, values, rng);
  }
  return result;
}

}  // namespace dlsim
