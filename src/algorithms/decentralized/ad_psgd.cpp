// AD-PSGD; see ad_psgd.hpp.
#include "algorithms/decentralized/ad_psgd.hpp"

#include <fmt/core.h>

#include <stdexcept>

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
    start_step(ctx, state);  // an asynchronous node simply carries on
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
  ctx.send(peer, Message{kAverageRequest, vector_bits(dimension_), vector_body(nodes_[self].steps, nodes_[self].x)});
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
  // The reply to our request: finish the averaging, then take the gradient step.
  for (std::size_t k = 0; k < dimension_; ++k) state.x[k] -= body.exact[k];
  optimizers_[self].apply(state.steps, state.x_at_gradient, state.gradient, state.x);
  ++state.steps;
  if (snapshots_ && snapshots_->wanted(state.steps) && snapshots_->contribute(self, state.steps, ctx.now(), state.x))
    ctx.request_stop();
  start_step(ctx, state);
}

}  // namespace dlsim
