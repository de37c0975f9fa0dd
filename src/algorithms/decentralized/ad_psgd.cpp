// AD-PSGD; see ad_psgd.hpp.
#include "algorithms/decentralized/ad_psgd.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "sim/engine.hpp"

namespace dlsim {
namespace {

constexpr std::uint32_t kAverageRequest = 1;
constexpr std::uint32_t kAverageReply = 2;

std::shared_ptr<const MessageBody> vector_body(std::uint64_t step, std::vector<double> values) {
  auto body = std::make_shared<VectorMessage>();
  body->round = step;
  body->exact = std::move(values);
  return body;
}

std::int64_t vector_bits(std::size_t d) { return kVectorMessageHeaderBits + 64 * static_cast<std::int64_t>(d); }

}  // namespace

AdPsgd::AdPsgd(DecentralizedConfig config, RoundSnapshots* snapshots)
    : config_(std::move(config)), snapshots_(snapshots) {
  if (!config_.model) throw std::invalid_argument("a model is needed");
  if (config_.compressor) throw std::invalid_argument("ad-psgd averages exact models: set compression.kind = \"none\"");
  if (config_.mixing.time_varying())
    throw std::invalid_argument("ad-psgd picks peers in a fixed graph; time-varying topologies are not supported");
  validate(config_.optimizer);
  dimension_ = config_.model->dimension();
  std::vector<double> start(dimension_, 0.0);
  RandomStream init(config_.seed, 0, purpose_id("model.init"));
  config_.model->initialize(start, init);
  nodes_.resize(config_.nodes);
  for (NodeId node = 0; node < config_.nodes; ++node) {
    if (config_.mixing.row(node, 0).neighbours.empty())
      throw std::invalid_argument(fmt::format("ad-psgd: node {} has no neighbour to average with", node));
    nodes_[node].x = config_.initial_models.empty() ? start : config_.initial_models.at(node);
    nodes_[node].gradient.assign(dimension_, 0.0);
  }
  optimizers_.assign(config_.nodes, LocalOptimizer(&config_.optimizer));
  gradients_ = std::make_unique<GradientTasks>(config_);
}

AdPsgd::~AdPsgd() = default;

void AdPsgd::on_start(Context& ctx) {
  NodeState& state = nodes_[ctx.self()];
  if (ctx.rejoining()) {
    // The outage discarded the node's gradient task or its reply timer: an
    // asynchronous node simply starts a new step (a reply still on its way is late).
    state.awaited = 0;
    start_step(ctx, state);
    return;
  }
  if (snapshots_ && snapshots_->contribute(ctx.self(), 0, ctx.now(), state.x)) ctx.request_stop();
  start_step(ctx, state);
}

void AdPsgd::start_step(Context& ctx, NodeState& state) {
  if (state.steps >= config_.rounds) return;
  state.x_at_gradient = state.x;
  gradients_->start(ctx, state.x_at_gradient, state.gradient, state.steps);
}

void AdPsgd::on_compute_done(Context& ctx, std::uint64_t) {
  const NodeId self = ctx.self();
  const std::vector<NodeId>& peers = config_.mixing.row(self, 0).neighbours;
  RandomStream rng = ctx.rng(purpose_id("ad-psgd.peer"));
  const NodeId peer = peers[rng.uniform_int(peers.size())];
  NodeState& state = nodes_[self];
  state.awaited = ++state.requests_sent;
  state.peer = peer;
  ctx.send(peer, Message{kAverageRequest, vector_bits(dimension_), vector_body(state.awaited, state.x)});
  if (config_.reply_timeout > 0) ctx.set_timer(config_.reply_timeout, state.awaited);
}

void AdPsgd::on_timer(Context& ctx, std::uint64_t request) {
  NodeState& state = nodes_[ctx.self()];
  if (request != state.awaited) return;  // the reply came in time
  state.awaited = 0;
  finish_step(ctx, state);
}

void AdPsgd::on_message(Context& ctx, NodeId from, const Message& message) {
  const NodeId self = ctx.self();
  NodeState& state = nodes_[self];
  const auto& body = message.body_as<VectorMessage>();
  if (message.tag == kAverageRequest) {
    std::vector<double> delta(dimension_);
    for (std::size_t k = 0; k < dimension_; ++k) {
      delta[k] = 0.5 * (body.exact[k] - state.x[k]);
      state.x[k] += delta[k];
    }
    ctx.send(from, Message{kAverageReply, vector_bits(dimension_), vector_body(body.round, std::move(delta))});
    return;
  }
  // A late reply (after its timeout, or from before an outage) is dropped:
  // that exchange failed, as if the reply had been lost. Applying its stale
  // delta to a model that has moved on would keep the sum but can make the
  // averages unstable; dropped, the peer's half is a convex combination.
  if (body.round != state.awaited) return;
  for (std::size_t k = 0; k < dimension_; ++k) state.x[k] -= body.exact[k];
  state.awaited = 0;
  finish_step(ctx, state);
}

void AdPsgd::finish_step(Context& ctx, NodeState& state) {
  const NodeId self = ctx.self();
  optimizers_[self].apply(state.steps, state.x_at_gradient, state.gradient, state.x);
  ++state.steps;
  if (snapshots_ && snapshots_->wanted(state.steps) && snapshots_->contribute(self, state.steps, ctx.now(), state.x))
    ctx.request_stop();
  start_step(ctx, state);
}

std::vector<std::string> AdPsgd::waits(const Engine& engine) const {
  std::vector<std::tuple<int, std::uint64_t, NodeId, std::string>> clauses;
  for (NodeId node = 0; node < config_.nodes; ++node) {
    const NodeState& state = nodes_[node];
    if (state.steps >= config_.rounds) continue;
    if (!engine.is_up(node))
      clauses.emplace_back(0, state.steps, node,
                           fmt::format("node {} {} at step {}", node,
                                       engine.will_rejoin(node) ? "is down" : "crashed", state.steps));
    else if (state.awaited != 0)
      clauses.emplace_back(1, state.steps, node,
                           fmt::format("node {} waits for a reply from {} at step {}", node, state.peer, state.steps));
    else
      clauses.emplace_back(1, state.steps, node, fmt::format("node {} is stuck at step {}", node, state.steps));
  }
  std::sort(clauses.begin(), clauses.end());
  std::vector<std::string> result;
  for (auto& clause : clauses) result.push_back(std::move(std::get<3>(clause)));
  return result;
}

}  // namespace dlsim
