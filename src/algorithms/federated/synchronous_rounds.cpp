// Synchronous federated rounds; see synchronous_rounds.hpp.
#include "algorithms/federated/synchronous_rounds.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/random.hpp"

namespace dlsim {
namespace {

FederatedConfig checked(FederatedConfig config) {
  validate(config);
  return config;
}

// ceil(K (1 + r)), without letting rounding turn K r = 1 into 2.
std::uint32_t cohort_size(const CohortConfig& cohort, std::uint32_t clients) {
  const double extra = static_cast<double>(cohort.clients_per_round) * cohort.over_commit;
  const double rounded = std::ceil(extra * (1 - 1e-12));
  const double size = static_cast<double>(cohort.clients_per_round) + rounded;
  return static_cast<std::uint32_t>(std::min(size, static_cast<double>(clients)));
}

}  // namespace

SynchronousFederated::SynchronousFederated(FederatedConfig config, RoundSnapshots* snapshots)
    : config_(checked(std::move(config))),
      snapshots_(snapshots),
      server_(config_.clients),
      clients_(config_, server_),
      selector_(config_.cohort.sampling, config_.seed, {}),
      aggregator_(std::make_unique<WeightedMean>()),
      optimizer_(config_.server),
      busy_(config_.clients, 0),
      idle_(config_.clients),
      participations_(config_.clients, 0),
      traffic_(config_.clients) {
  std::vector<double> weights(config_.clients);
  for (NodeId client = 0; client < config_.clients; ++client) {
    weights[client] = config_.weighting == UpdateWeighting::samples
                          ? static_cast<double>(clients_.table().samples(client))
                          : 1.0;
    total_weight_ += weights[client];
  }
  // Weighted sampling draws by sample count whatever the averaging weights
  // are; the other samplings keep no weights (8 bytes per idle client).
  if (config_.cohort.sampling == ClientSampling::weighted || config_.cohort.sampling == ClientSampling::power_of_choice)
    for (NodeId client = 0; client < config_.clients; ++client)
      weights[client] = static_cast<double>(clients_.table().samples(client));
  else
    weights = {};
  selector_ = CohortSelector(config_.cohort.sampling, config_.seed, std::move(weights), config_.cohort.candidates);
  // Clients never heard from come first: their loss is unknown.
  if (config_.cohort.sampling == ClientSampling::power_of_choice)
    last_loss_.assign(config_.clients, std::numeric_limits<float>::infinity());
  const std::size_t d = config_.model->dimension();
  if (!config_.initial_model.empty()) {
    x_ = config_.initial_model;
  } else {
    x_.assign(d, 0.0);
    RandomStream init(config_.seed, 0, purpose_id("model.init"));
    config_.model->initialize(x_, init);
  }
  if (config_.rule.control_variates) control_.assign(d, 0.0);
}

SynchronousFederated::~SynchronousFederated() = default;

std::vector<std::string> SynchronousFederated::metric_columns() {
  return {"selected", "participants", "dropped_deadline", "surplus", "round_duration_s",
          "bits_up", "bits_down", "abandoned_rounds"};
}

void SynchronousFederated::metric_values(std::uint64_t round, std::vector<double>& row) const {
  if (round == 0 || round > records_.size()) {
    row.insert(row.end(), metric_columns().size(), 0.0);
    return;
  }
  const FederatedRoundRecord& record = records_[round - 1];
  row.insert(row.end(), {static_cast<double>(record.selected), static_cast<double>(record.participants),
                         static_cast<double>(record.dropped_deadline), static_cast<double>(record.surplus),
                         to_seconds(record.ended - record.began), static_cast<double>(record.bits_up),
                         static_cast<double>(record.bits_down), static_cast<double>(record.abandoned_so_far)});
}

std::vector<std::pair<std::string, double>> SynchronousFederated::summary_figures() const {
  std::uint64_t participated = 0, most = 0, aggregated = 0, dropped = 0, surplus = 0, abandoned = 0;
  for (std::uint32_t count : participations_) {
    participated += count > 0;
    most = std::max<std::uint64_t>(most, count);
    aggregated += count;
  }
  // Per client that exchanged a message with the server: sums over them are the totals bits_up and bits_down.
  std::uint64_t communicated = 0, most_up = 0, most_down = 0;
  for (const ClientTraffic& traffic : traffic_) {
    communicated += traffic.up > 0 || traffic.down > 0;
    most_up = std::max(most_up, traffic.up);
    most_down = std::max(most_down, traffic.down);
  }
  const auto per_client = [communicated](std::uint64_t bits) {
    return communicated > 0 ? static_cast<double>(bits) / static_cast<double>(communicated) : 0.0;
  };
  for (const FederatedRoundRecord& record : records_) {
    dropped += record.dropped_deadline;
    surplus += record.surplus;
    abandoned += record.abandoned;
  }
  return {{"clients", static_cast<double>(config_.clients)},
          {"clients_participated", static_cast<double>(participated)},
          {"max_participations", static_cast<double>(most)},
          {"updates_aggregated", static_cast<double>(aggregated)},
          {"dropped_deadline", static_cast<double>(dropped)},
          {"surplus", static_cast<double>(surplus)},
          {"late_updates", static_cast<double>(late_updates_)},
          {"rounds_abandoned", static_cast<double>(abandoned)},
          {"remembered_clients", static_cast<double>(clients_.remembered_clients())},
          {"clients_communicated", static_cast<double>(communicated)},
          {"bits_up_per_client_mean", per_client(bits_up_)},
          {"bits_up_per_client_max", static_cast<double>(most_up)},
          {"bits_down_per_client_mean", per_client(bits_down_)},
          {"bits_down_per_client_max", static_cast<double>(most_down)},
          {"idle_client_bytes",
           static_cast<double>(FederatedClients::idle_client_bytes() + sizeof(std::uint8_t) + sizeof(std::uint32_t) +
                               sizeof(ClientTraffic) + (last_loss_.empty() ? 0 : sizeof(float)))}};
}

void SynchronousFederated::on_start(Context& ctx) {
  if (ctx.self() != server_) return clients_.on_start(ctx);
  if (ctx.rejoining()) return;  // the server is never taken down
  if (snapshots_ && snapshots_->contribute(0, 0, ctx.now(), x_)) ctx.request_stop();
  begin_round(ctx);
}

void SynchronousFederated::on_message(Context& ctx, NodeId from, const Message& message) {
  if (ctx.self() != server_) {
    if (message.tag == kFederatedModelTag) clients_.on_model(ctx, message);
    return;
  }
  bits_up_ += static_cast<std::uint64_t>(message.size_bits);
  traffic_[from].up += static_cast<std::uint64_t>(message.size_bits);
  if (message.tag == kFederatedUpdateTag) return on_update(ctx, from, message);
  if (message.tag == kFederatedCheckInTag) {
    release(from);
    if (waiting_) begin_round(ctx);
  }
}

void SynchronousFederated::on_timer(Context& ctx, std::uint64_t tag) {
  // The deadline of round `tag`, if that round is still open.
  if (ctx.self() == server_ && open_ && tag == round_) close_round(ctx, Close::deadline);
}

void SynchronousFederated::on_compute_done(Context& ctx, std::uint64_t tag) {
  if (ctx.self() != server_) return clients_.on_trained(ctx, tag);
  finish_round(ctx, true);
}

void SynchronousFederated::release(NodeId client) {
  if (!busy_[client]) return;
  busy_[client] = 0;
  ++idle_;
}

void SynchronousFederated::begin_round(Context& ctx) {
  if (round_ >= config_.rounds) return;
  cohort_.clear();
  selector_.select(round_, cohort_size(config_.cohort, config_.clients), busy_, idle_, cohort_, last_loss_);
  idle_ -= static_cast<std::uint32_t>(cohort_.size());
  waiting_ = cohort_.empty();
  if (waiting_) return;
  open_ = true;
  kept_.clear();
  cohort_target_ = std::min<std::uint32_t>(config_.cohort.clients_per_round, static_cast<std::uint32_t>(cohort_.size()));
  current_ = FederatedRoundRecord{};
  current_.round = round_;
  current_.began = ctx.now();
  current_.selected = static_cast<std::uint32_t>(cohort_.size());
  auto broadcast = std::make_shared<ModelBroadcast>();
  broadcast->round = round_;
  broadcast->model = x_;
  broadcast->control = control_;
  const std::int64_t bits = broadcast->bits();
  std::shared_ptr<const MessageBody> body = std::move(broadcast);
  for (NodeId client : cohort_) {
    ctx.send(client, Message{kFederatedModelTag, bits, body});
    bits_down_ += static_cast<std::uint64_t>(bits);
    traffic_[client].down += static_cast<std::uint64_t>(bits);
  }
  if (config_.cohort.round_deadline > 0) ctx.set_timer(config_.cohort.round_deadline, round_);
}

void SynchronousFederated::on_update(Context& ctx, NodeId from, const Message& message) {
  auto update = std::static_pointer_cast<const ClientUpdate>(message.body);
  release(from);
  // A diverged client's NaN ranks first, as an unknown loss does.
  if (update->reports_loss && !last_loss_.empty())
    last_loss_[from] = std::isnan(update->loss) ? std::numeric_limits<float>::infinity() : update->loss;
  if (open_ && update->round == round_) {
    const double weight =
        config_.weighting == UpdateWeighting::samples ? static_cast<double>(update->samples) : 1.0;
    kept_.push_back(KeptUpdate{from, weight, std::move(update)});
    if (kept_.size() >= cohort_target_) close_round(ctx, Close::enough);
  } else {
    ++late_updates_;
  }
  if (waiting_) begin_round(ctx);
}

void SynchronousFederated::close_round(Context& ctx, Close why) {
  open_ = false;
  const auto missing = static_cast<std::uint32_t>(cohort_.size() - kept_.size());
  (why == Close::deadline ? current_.dropped_deadline : current_.surplus) = missing;
  if (kept_.size() < config_.cohort.min_updates) {
    current_.abandoned = true;
    kept_.clear();
    return finish_round(ctx, false);
  }
  current_.participants = static_cast<std::uint32_t>(kept_.size());
  // Client-id order: the sum does not depend on who arrived first.
  std::sort(kept_.begin(), kept_.end(), [](const KeptUpdate& a, const KeptUpdate& b) { return a.client < b.client; });
  for (const KeptUpdate& kept : kept_) ++participations_[kept.client];
  const std::size_t d = x_.size();
  combined_.assign(d, 0.0);
  ComputeCost cost = aggregator_->cost(kept_.size(), d);
  cost.flops += optimizer_.flops_per_coordinate() * static_cast<double>(d);
  if (config_.rule.control_variates) {
    combined_control_.assign(d, 0.0);
    cost.flops += 2.0 * static_cast<double>(kept_.size() * d);
  }
  auto kept = std::make_shared<std::vector<KeptUpdate>>(std::move(kept_));
  kept_.clear();
  const double control_scale = 1.0 / total_weight_;
  ctx.start_compute(
      cost,
      [this, kept, control_scale] {
        // Only the server's buffers reserved for this task are written.
        aggregator_->aggregate(*kept, clients_.codec(), combined_);
        if (config_.rule.control_variates) add_control_deltas(*kept, control_scale, combined_control_);
      },
      round_);
}

void SynchronousFederated::finish_round(Context& ctx, bool aggregated) {
  if (aggregated) {
    optimizer_.apply(x_, combined_);
    for (std::size_t k = 0; k < control_.size(); ++k) control_[k] += combined_control_[k];
  }
  current_.ended = ctx.now();
  current_.abandoned_so_far = (records_.empty() ? 0 : records_.back().abandoned_so_far) + current_.abandoned;
  current_.bits_up = bits_up_;
  current_.bits_down = bits_down_;
  records_.push_back(current_);
  ++round_;
  if (snapshots_ && snapshots_->wanted(round_) && snapshots_->contribute(0, round_, ctx.now(), x_))
    ctx.request_stop();
  begin_round(ctx);
}

}  // namespace dlsim
