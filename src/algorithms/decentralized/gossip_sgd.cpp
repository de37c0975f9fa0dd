// Synchronous gossip and D-PSGD; see gossip_sgd.hpp.
#include "algorithms/decentralized/gossip_sgd.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <stdexcept>

#include "sim/random.hpp"

namespace dlsim {
namespace {

constexpr std::uint32_t kModelTag = 1;
constexpr std::int64_t kHeaderBits = 64;  // round number and sender id

struct ModelMessage final : MessageBody {
  std::uint64_t round = 0;
  std::vector<double> values;
};

}  // namespace

GossipSgd::GossipSgd(GossipSgdConfig config, RoundSnapshots& snapshots)
    : config_(std::move(config)),
      snapshots_(snapshots),
      workspaces_(std::make_shared<tbb::enumerable_thread_specific<std::unique_ptr<ModelWorkspace>>>()) {
  const std::uint32_t n = config_.nodes;
  if (config_.mixing.size() != n) throw std::invalid_argument("gossip: one mixing row per node is needed");
  if (!config_.model) throw std::invalid_argument("gossip: a model is needed");
  dimension_ = config_.model->dimension();
  if (config_.gradient_steps) {
    if (!config_.train || config_.partition.size() != n)
      throw std::invalid_argument("d-psgd: training data and a partition over the nodes are needed");
    if (config_.batch_size == 0) throw std::invalid_argument("d-psgd: batch size must be positive");
    for (std::uint32_t i = 0; i < n; ++i)
      if (config_.partition[i].empty())
        throw std::invalid_argument(fmt::format("d-psgd: node {} holds no training samples", i));
  }
  if (!config_.initial_models.empty() && config_.initial_models.size() != n)
    throw std::invalid_argument("gossip: one initial model per node is needed");
  nodes_.resize(n);
  std::vector<double> shared_start;
  if (config_.initial_models.empty()) {
    shared_start.assign(dimension_, 0.0);
    RandomStream init(config_.seed, 0, purpose_id("model.init"));
    config_.model->initialize(shared_start, init);
  }
  for (std::uint32_t i = 0; i < n; ++i) {
    NodeState& node = nodes_[i];
    node.x = config_.initial_models.empty() ? shared_start : config_.initial_models[i];
    if (node.x.size() != dimension_) throw std::invalid_argument("gossip: initial model has the wrong size");
    node.incoming[0].assign(dimension_, 0.0);
    node.incoming[1].assign(dimension_, 0.0);
    if (config_.gradient_steps) {
      node.gradient.assign(dimension_, 0.0);
      node.sampler = std::make_unique<MinibatchSampler>(config_.partition[i], config_.batch_size);
      node.sampler_stream = std::make_unique<RandomStream>(config_.seed, i, purpose_id("data.sampler"));
    }
  }
}

GossipSgd::~GossipSgd() = default;

double GossipSgd::weight_of(NodeId node, NodeId neighbour) const {
  const MixingRow& row = config_.mixing[node];
  const auto it = std::lower_bound(row.neighbours.begin(), row.neighbours.end(), neighbour);
  if (it == row.neighbours.end() || *it != neighbour)
    throw std::logic_error(fmt::format("gossip: node {} got a model from non-neighbour {}", node, neighbour));
  return row.weights[static_cast<std::size_t>(it - row.neighbours.begin())];
}

void GossipSgd::on_start(Context& ctx) {
  NodeState& node = nodes_[ctx.self()];
  if (ctx.rejoining()) return;  // synchronous rounds cannot resume after an outage
  if (snapshots_.contribute(ctx.self(), 0, ctx.now(), node.x)) ctx.request_stop();
  begin_round(ctx, node);
}

void GossipSgd::begin_round(Context& ctx, NodeState& node) {
  if (node.round >= config_.rounds) return;
  const NodeId self = ctx.self();
  auto body = std::make_shared<ModelMessage>();
  body->round = node.round;
  body->values = node.x;
  const std::int64_t bits = kHeaderBits + 64 * static_cast<std::int64_t>(dimension_);
  std::shared_ptr<const MessageBody> shared = std::move(body);
  for (NodeId neighbour : config_.mixing[self].neighbours) ctx.send(neighbour, Message{kModelTag, bits, shared});

  if (!config_.gradient_steps) {
    node.gradient_ready = true;
    try_finish_round(ctx, node);
    return;
  }
  const auto batch_span = node.sampler->next(*node.sampler_stream);
  std::vector<std::uint32_t> batch(batch_span.begin(), batch_span.end());
  const double samples = static_cast<double>(batch.size());
  const ComputeCost cost{3.0 * config_.model->flops_per_sample(*config_.train) * samples,
                         4.0 * samples * static_cast<double>(config_.train->dim)};
  // The task owns a copy of the model (its snapshot) and writes only node.gradient.
  ctx.start_compute(cost,
                    [x = node.x, batch = std::move(batch), gradient = node.gradient.data(),
                     dimension = dimension_, model = config_.model, train = config_.train,
                     workspaces = workspaces_] {
                      std::unique_ptr<ModelWorkspace>& workspace = workspaces->local();
                      if (!workspace) workspace = model->make_workspace();
                      model->loss_and_gradient(x, *train, batch, std::span<double>(gradient, dimension),
                                               *workspace);
                    },
                    node.round);
}

void GossipSgd::on_message(Context& ctx, NodeId from, const Message& message) {
  NodeState& node = nodes_[ctx.self()];
  const auto& body = message.body_as<ModelMessage>();
  if (body.round != node.round && body.round != node.round + 1)
    throw std::logic_error(fmt::format("gossip: node {} in round {} got round {} from {}", ctx.self(),
                                       node.round, body.round, from));
  const double weight = weight_of(ctx.self(), from);
  std::vector<double>& sum = node.incoming[body.round % 2];
  for (std::size_t k = 0; k < dimension_; ++k) sum[k] += weight * body.values[k];
  ++node.received[body.round % 2];
  if (body.round == node.round) try_finish_round(ctx, node);
}

void GossipSgd::on_compute_done(Context& ctx, std::uint64_t) {
  NodeState& node = nodes_[ctx.self()];
  node.gradient_ready = true;
  try_finish_round(ctx, node);
}

void GossipSgd::try_finish_round(Context& ctx, NodeState& node) {
  const NodeId self = ctx.self();
  const std::size_t slot = node.round % 2;
  if (!node.gradient_ready || node.received[slot] != config_.mixing[self].neighbours.size()) return;
  const double self_weight = config_.mixing[self].self_weight;
  std::vector<double>& sum = node.incoming[slot];
  if (config_.gradient_steps) {
    for (std::size_t k = 0; k < dimension_; ++k)
      node.x[k] = self_weight * node.x[k] + sum[k] - config_.learning_rate * node.gradient[k];
  } else {
    for (std::size_t k = 0; k < dimension_; ++k) node.x[k] = self_weight * node.x[k] + sum[k];
  }
  std::fill(sum.begin(), sum.end(), 0.0);
  node.received[slot] = 0;
  node.gradient_ready = false;
  ++node.round;
  if (snapshots_.wanted(node.round) && snapshots_.contribute(self, node.round, ctx.now(), node.x))
    ctx.request_stop();
  begin_round(ctx, node);
}

}  // namespace dlsim
