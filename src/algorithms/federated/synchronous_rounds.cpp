// Synchronous federated rounds; see synchronous_rounds.hpp.
#include "algorithms/federated/synchronous_rounds.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>

#include "algorithms/federated/error_feedback.hpp"
#include "algorithms/federated/server_step.hpp"
#include "algorithms/federated/private_aggregation.hpp"
#include "privacy/privacy_ledger.hpp"
#include "robust/attacks.hpp"
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
      availability_(config_.availability, config_.seed),
      clients_(config_, availability_, server_),
      selector_(config_.cohort.sampling, config_.seed, {}),
      aggregator_(std::make_unique<WeightedMean>()),
      optimizer_(config_.server),
      busy_(config_.clients, 0),
      idle_(config_.clients),
      participations_(config_.clients, 0),
      traffic_(config_.clients) {
  clip_norm_ = config_.user_privacy.clip_norm;
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
  x_ = initial_server_model(config_);
  if (config_.rule.control_variates) control_.assign(d, 0.0);
  crashes_ = config_.crashes;
  std::sort(crashes_.begin(), crashes_.end());
  if (config_.downlink_compressor)
    downlink_ = std::make_unique<DownlinkHistory>(clients_.downlink_codec(), config_.clients, config_.error_feedback);
}

SynchronousFederated::~SynchronousFederated() = default;

std::vector<std::string> SynchronousFederated::metric_columns() {
  return {"selected",         "participants",    "dropped_deadline", "surplus",  "round_duration_s",
          "local_steps_mean", "local_steps_min", "local_steps_max",  "bits_up",  "bits_down",
          "abandoned_rounds", "dropped_unavailable", "dropped_failure", "stale_updates"};
}

bool SynchronousFederated::reports_aggregate_error(const FederatedConfig& config) {
  return config.robust_aggregator != nullptr || !config.byzantine.empty();
}

bool SynchronousFederated::is_byzantine(NodeId client) const {
  return std::binary_search(config_.byzantine.begin(), config_.byzantine.end(), client);
}

void SynchronousFederated::metric_values(std::uint64_t round, std::vector<double>& row) const {
  const bool error = reports_aggregate_error(config_);
  if (round == 0 || round > records_.size()) {
    row.insert(row.end(), metric_columns().size() + (error ? 1 : 0) + (config_.secure_aggregation.active() ? 2 : 0),
               0.0);
    return;
  }
  const FederatedRoundRecord& record = records_[round - 1];
  row.insert(row.end(), {static_cast<double>(record.selected), static_cast<double>(record.participants),
                         static_cast<double>(record.dropped_deadline), static_cast<double>(record.surplus),
                         to_seconds(record.ended - record.began), record.local_steps_mean,
                         static_cast<double>(record.local_steps_min), static_cast<double>(record.local_steps_max),
                         static_cast<double>(record.bits_up), static_cast<double>(record.bits_down),
                         static_cast<double>(record.abandoned_so_far), static_cast<double>(record.dropped_unavailable),
                         static_cast<double>(record.dropped_failure), static_cast<double>(record.stale_updates)});
  if (error) row.push_back(record.aggregate_error);
  if (config_.secure_aggregation.active())
    row.insert(row.end(), {static_cast<double>(record.secure_aggregation_bits), record.secure_aggregation_s});
}

std::vector<std::pair<std::string, double>> SynchronousFederated::summary_figures() const {
  std::uint64_t participated = 0, most = 0, aggregated = 0, dropped = 0, surplus = 0, abandoned = 0;
  std::uint64_t unavailable = 0, failure = 0, stale = 0;
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
    unavailable += record.dropped_unavailable;
    failure += record.dropped_failure;
    stale += record.stale_updates;
  }
  std::vector<std::pair<std::string, double>> figures = {{"clients", static_cast<double>(config_.clients)},
          {"clients_participated", static_cast<double>(participated)},
          {"max_participations", static_cast<double>(most)},
          {"updates_aggregated", static_cast<double>(aggregated)},
          {"dropped_deadline", static_cast<double>(dropped)},
          {"surplus", static_cast<double>(surplus)},
          {"dropped_unavailable", static_cast<double>(unavailable)},
          {"dropped_failure", static_cast<double>(failure)},
          {"late_updates", static_cast<double>(late_updates_)},
          {"stale_updates", static_cast<double>(stale)},
          {"rounds_abandoned", static_cast<double>(abandoned)},
          {"remembered_clients", static_cast<double>(clients_.remembered_clients())},
          {"clients_communicated", static_cast<double>(communicated)},
          {"bits_up_per_client_mean", per_client(bits_up_)},
          {"bits_up_per_client_max", static_cast<double>(most_up)},
          {"bits_down_per_client_mean", per_client(bits_down_)},
          {"bits_down_per_client_max", static_cast<double>(most_down)},
          // Time-varying availability adds the client's away flag, a trace its offset.
          {"idle_client_bytes",
           static_cast<double>(FederatedClients::idle_client_bytes() + clients_.extra_idle_client_bytes() +
                               sizeof(std::uint8_t) + sizeof(std::uint32_t) + sizeof(ClientTraffic) +
                               (last_loss_.empty() ? 0 : sizeof(float)) +
                               (downlink_ ? DownlinkHistory::idle_client_bytes() : 0) +
                               (availability_.time_varying() ? sizeof(std::uint8_t) : 0) +
                               (config_.availability.trace ? sizeof(std::uint64_t) : 0))}};
  // DP-FedAvg: the clip norm at the end (C_0 unless adaptive).
  if (config_.user_privacy.enabled) figures.emplace_back("dp_clip_norm_final", clip_norm_);
  if (config_.secure_aggregation.active()) {
    double seconds = 0;
    for (const FederatedRoundRecord& record : records_) seconds += record.secure_aggregation_s;
    const std::vector<std::pair<std::string, double>> secure = {
        {"secagg_rounds", static_cast<double>(secure_totals_.rounds)},
        {"secagg_rounds_failed", static_cast<double>(secure_totals_.failed)},
        {"secagg_exchanges", static_cast<double>(secure_totals_.exchanges)},
        {"secagg_bits", static_cast<double>(secure_bits_)},
        {"secagg_seconds", seconds},
        {"secagg_dropped_key_rounds", static_cast<double>(secure_totals_.dropped_key_rounds)},
        {"secagg_dropped_masked", static_cast<double>(secure_totals_.dropped_masked)},
        {"secagg_client_flops", secure_totals_.client_flops},
        {"secagg_server_flops", secure_totals_.server_flops}};
    figures.insert(figures.end(), secure.begin(), secure.end());
  }
  return figures;
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
    if (message.tag == kFederatedProbeTag) clients_.on_probe(ctx, message);
    if (message.tag == kFederatedSecureAggregationTag) clients_.on_secure_aggregation_step(ctx, message);
    return;
  }
  bits_up_ += static_cast<std::uint64_t>(message.size_bits);
  traffic_[from].up += static_cast<std::uint64_t>(message.size_bits);
  if (message.tag == kFederatedUpdateTag) return on_update(ctx, from, message);
  if (message.tag == kFederatedLossTag) return on_loss(ctx, from, message);
  if (message.tag == kFederatedSecureAggregationTag) return on_secure_aggregation_reply(ctx, from, message);
  if (message.tag == kFederatedCheckInTag) {
    release(from);
    if (downlink_) downlink_->forget(from);  // the outage took the client's model
    // A client of this round that lost its work: once every selected client
    // has reported one way or the other, waiting on is pointless.
    const auto* check_in = dynamic_cast<const CheckIn*>(message.body.get());
    if (check_in) resolve_pending_drop(from, check_in->outage_began);
    // kNoRound: the outage took this round's model before it arrived.
    const auto in = [from](const auto& list) { return std::find(list.begin(), list.end(), from) != list.end(); };
    const bool ours =
        check_in && (check_in->round == round_ ||
                     (check_in->round == kNoRound && in(cohort_) && !in(gave_up_) &&
                      std::none_of(kept_.begin(), kept_.end(), [from](const KeptUpdate& kept) { return kept.client == from; })));
    const auto answered = [&] {
      return std::any_of(probe_losses_.begin(), probe_losses_.end(), [from](const auto& loss) { return loss.second == from; });
    };
    if (probing_ && check_in && (check_in->round == round_ || check_in->round == kNoRound) && in(probed_) &&
        !in(probe_lost_) && !answered()) {
      probe_lost_.push_back(from);
      if (probe_losses_.size() + probe_lost_.size() >= probed_.size()) finish_probe(ctx);
    }
    if (open_ && ours) {
      gave_up_.push_back(from);
      if (phase_) {
        if (replied_.size() + reported() >= awaited_.size()) advance_secure_aggregation(ctx);
      } else if (kept_.size() + reported() >= awaited_.size()) {
        close_round(ctx, Close::reported);
      }
    }
    if (waiting_) begin_round(ctx);
  }
}

void SynchronousFederated::on_timer(Context& ctx, std::uint64_t tag) {
  if (ctx.self() != server_) return clients_.on_timer(ctx, tag);
  if (tag & kWakeTag) {
    if (waiting_ && tag == (kWakeTag | wake_)) begin_round(ctx);
    return;
  }
  // The probe's deadline: the cohort comes from the answers so far (none: the round is abandoned).
  if (probing_ && tag == (kProbeTimerTag | round_)) return finish_probe(ctx);
  // The deadline of round `tag`, if that round is still open.
  if (tag != round_) return;
  if (phase_ == SecureAggregationPhase::unmask) {
    // Fewer than t survivors answered the unmasking by the deadline: the round fails.
    current_.secure_aggregation_s += to_seconds(ctx.now() - phase_began_);
    ++secure_totals_.failed;
    phase_.reset();
    current_.abandoned = true;
    current_.participants = 0;
    kept_.clear();
    return finish_round(ctx, false);
  }
  if (open_ && phase_) return advance_secure_aggregation(ctx);
  if (open_) close_round(ctx, Close::deadline);
}

std::vector<std::string> SynchronousFederated::waits(const Engine&) const {
  if (round_ >= config_.rounds) return {};
  if (phase_)
    return {fmt::format("the server waits in round {} for {} more secure aggregation answer(s) from {} clients",
                        round_, awaited_.size() - replied_.size(), awaited_.size())};
  if (open_)
    return {fmt::format("the server waits in round {} for {} more update(s) from its {} selected clients", round_,
                        cohort_target_ - kept_.size(), cohort_.size())};
  if (probing_)
    return {fmt::format("the server waits in round {} for the losses of {} of its {} probed candidates", round_,
                        probed_.size() - probe_losses_.size() - probe_lost_.size(), probed_.size())};
  if (waiting_ && idle_ > 0)
    return {fmt::format("the server cannot begin round {}: none of its {} idle clients will be available again "
                        "(availability {})",
                        round_, idle_, availability_name(config_.availability.kind))};
  if (waiting_)
    return {fmt::format("the server cannot begin round {}: every client is selected and not heard from, and none "
                        "reports any more",
                        round_)};
  return {};
}

bool SynchronousFederated::crashed_by(NodeId client, SimTime time) const {
  const auto found = std::lower_bound(crashes_.begin(), crashes_.end(), std::pair<NodeId, SimTime>{client, 0});
  return found != crashes_.end() && found->first == client && found->second <= time;
}

void SynchronousFederated::wait_for_availability(Context& ctx) {
  if (availability_.never_available()) return;
  SimTime next = kNever;
  if (config_.availability.kind == AvailabilityKind::bernoulli) {
    // The same draw would find the same clients away: draw again later.
    ++retry_;
    next = ctx.now() + std::min(config_.availability.retry, kLatestTime - ctx.now());
  } else {
    for (NodeId client = 0; client < config_.clients; ++client)
      if (!busy_[client]) next = std::min(next, availability_.next_available(client, ctx.now()));
  }
  if (next == kNever || next <= ctx.now()) return;
  ctx.set_timer(next - ctx.now(), kWakeTag | ++wake_);
}

void SynchronousFederated::on_compute_done(Context& ctx, std::uint64_t tag) {
  if (ctx.self() != server_ && (tag & FederatedClients::kProbeTag))
    return clients_.on_probed(ctx, tag & ~FederatedClients::kProbeTag);
  if (ctx.self() != server_) return clients_.on_trained(ctx, tag);
  finish_round(ctx, true);
}

bool SynchronousFederated::resumes_on_rejoin(NodeId client) const {
  if (round_ >= config_.rounds || availability_.never_available()) return false;
  return (client < busy_.size() && busy_[client]) || waiting_;
}

void SynchronousFederated::resolve_pending_drop(NodeId client, SimTime outage_began) {
  const auto found = pending_drops_.find(client);
  if (found == pending_drops_.end()) return;
  const PendingDrop pending = found->second;
  pending_drops_.erase(found);
  // The round is closed: recorded, or still aggregating (current_).
  FederatedRoundRecord& record = pending.round < records_.size() ? records_[pending.round] : current_;
  // Down at the close (an outage that began after it found the client merely late).
  if (outage_began > record.closed) return;
  --(pending.surplus ? record.surplus : record.dropped_deadline);
  ++record.dropped_failure;
}

void SynchronousFederated::release(NodeId client) {
  if (!busy_[client]) return;
  busy_[client] = 0;
  ++idle_;
}

void SynchronousFederated::begin_round(Context& ctx) {
  if (round_ >= config_.rounds) return;
  cohort_.clear();
  std::function<bool(NodeId)> available;
  if (!availability_.always())
    available = [this, now = ctx.now(), draw = ClientAvailability::draw_key(round_, retry_)](NodeId client) {
      return availability_.available(client, now, draw);
    };
  // With a probe the draw is the candidates; the cohort comes from their losses.
  std::vector<NodeId>& drawn = config_.cohort.probe ? probed_ : cohort_;
  drawn.clear();
  if (config_.cohort.probe)
    selector_.draw_candidates(round_, cohort_size(config_.cohort, config_.clients), busy_, idle_, probed_, available);
  else
    selector_.select(round_, cohort_size(config_.cohort, config_.clients), busy_, idle_, cohort_, last_loss_,
                     available);
  idle_ -= static_cast<std::uint32_t>(drawn.size());
  // A Poisson draw may come up empty with idle clients: the round goes on
  // without them (abandoned, or under DP-FedAvg its noise alone released).
  // With an availability model the server waits and draws again instead, as
  // for the other samplings (DP-FedAvg refuses availability models).
  const bool empty_draw = drawn.empty() && idle_ > 0 && config_.cohort.sampling == ClientSampling::poisson &&
                          availability_.always();
  waiting_ = drawn.empty() && !empty_draw;
  if (waiting_) {
    if (idle_ > 0) wait_for_availability(ctx);
    return;
  }
  retry_ = 0;
  current_ = FederatedRoundRecord{};
  current_.round = round_;
  current_.began = ctx.now();
  if (config_.cohort.probe) return begin_probe(ctx);
  open_cohort();
  full_model_ = nullptr;
  if (config_.secure_aggregation.active() && !empty_draw) {
    start_secure_aggregation(ctx);
  } else {
    send_model(ctx);
  }
  if (config_.cohort.round_deadline > 0) ctx.set_timer(config_.cohort.round_deadline, round_);
  if (empty_draw) close_round(ctx, Close::reported);
}

void SynchronousFederated::open_cohort() {
  open_ = true;
  awaited_ = cohort_;  // secure aggregation narrows it phase by phase
  kept_.clear();
  gave_up_.clear();
  cohort_target_ = std::min<std::uint32_t>(config_.cohort.clients_per_round, static_cast<std::uint32_t>(cohort_.size()));
  // DP-FedAvg waits for its whole cohort: keeping the first K would let one
  // client's presence push another's update out (sensitivity 2C, not C).
  if (config_.user_privacy.enabled) cohort_target_ = static_cast<std::uint32_t>(cohort_.size());
  current_.selected = static_cast<std::uint32_t>(cohort_.size());
  shared_control_ = control_.empty() ? nullptr : std::make_shared<const std::vector<double>>(control_);
}

void SynchronousFederated::send_down(Context& ctx, const std::vector<NodeId>& clients, std::uint32_t tag,
                                     std::shared_ptr<const ModelBroadcast> broadcast, std::size_t d) {
  const std::int64_t bits = broadcast->bits(nullptr, d);
  std::shared_ptr<const MessageBody> body = std::move(broadcast);
  for (NodeId client : clients) {
    ctx.send(client, Message{tag, bits, body});
    bits_down_ += static_cast<std::uint64_t>(bits);
    traffic_[client].down += static_cast<std::uint64_t>(bits);
  }
}

void SynchronousFederated::begin_probe(Context& ctx) {
  probing_ = true;
  probe_losses_.clear();
  probe_lost_.clear();
  probed_model_ = std::make_shared<const std::vector<double>>(x_);
  auto probe = std::make_shared<ModelBroadcast>();
  probe->round = round_;
  probe->began = ctx.now();
  probe->model = probed_model_;
  send_down(ctx, probed_, kFederatedProbeTag, std::move(probe), x_.size());
  if (config_.cohort.round_deadline > 0) ctx.set_timer(config_.cohort.round_deadline, kProbeTimerTag | round_);
}

void SynchronousFederated::on_loss(Context& ctx, NodeId from, const Message& message) {
  const auto* report = dynamic_cast<const LossReport*>(message.body.get());
  if (report == nullptr) return;
  // A diverged client's NaN ranks first, as an unknown loss does.
  const float loss = std::isnan(report->loss) ? std::numeric_limits<float>::infinity() : report->loss;
  last_loss_[from] = loss;
  if (!probing_ || report->round != round_) return release(from);  // too late for its probe
  probe_losses_.emplace_back(loss, from);
  if (probe_losses_.size() + probe_lost_.size() >= probed_.size()) finish_probe(ctx);
}

void SynchronousFederated::finish_probe(Context& ctx) {
  probing_ = false;
  // The highest losses, ties by id; the other candidates that answered are free again.
  std::sort(probe_losses_.begin(), probe_losses_.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  const std::size_t size = std::min<std::size_t>(cohort_size(config_.cohort, config_.clients), probe_losses_.size());
  cohort_.clear();
  for (std::size_t i = 0; i < probe_losses_.size(); ++i) {
    if (i < size)
      cohort_.push_back(probe_losses_[i].second);
    else
      release(probe_losses_[i].second);
  }
  if (cohort_.empty()) {  // every candidate lost its probe
    current_.abandoned = true;
    return finish_round(ctx, false);
  }
  open_cohort();
  auto start = std::make_shared<ModelBroadcast>();
  start->round = round_;
  start->began = current_.began;
  start->model = probed_model_;
  start->control = shared_control_;
  start->held = true;
  send_down(ctx, cohort_, kFederatedModelTag, std::move(start), x_.size());
  if (config_.cohort.round_deadline > 0) ctx.set_timer(config_.cohort.round_deadline, round_);
}

void SynchronousFederated::send_model(Context& ctx) {
  const std::size_t d = x_.size();
  // Secure aggregation: the shares addressed to the client travel with the model.
  std::int64_t extra = 0;
  ComputeCost masking;
  std::int64_t masked = -1;
  if (config_.secure_aggregation.active()) {
    extra = plan_->forwarded_share_bits();
    masking = plan_->masking_cost(config_.rule.control_variates);
    masked = plan_->masked_payload_bits(config_.rule.control_variates);
    secure_totals_.client_flops += masking.flops * static_cast<double>(awaited_.size());
  }
  if (!config_.downlink_compressor) {
    auto broadcast = std::make_shared<ModelBroadcast>();
    broadcast->round = round_;
    broadcast->began = current_.began;
    broadcast->model = std::make_shared<const std::vector<double>>(x_);
    broadcast->control = shared_control_;
    broadcast->masking = masking;
    broadcast->masked_payload_bits = masked;
    const std::int64_t bits = broadcast->bits(nullptr, d) + extra;
    std::shared_ptr<const MessageBody> body = std::move(broadcast);
    for (NodeId client : awaited_) {
      ctx.send(client, Message{kFederatedModelTag, bits, body});
      count_down(client, bits, extra);
    }
  } else {
    for (NodeId client : awaited_) {
      std::shared_ptr<ModelBroadcast> broadcast = downlink_broadcast(client);
      broadcast->masking = masking;
      broadcast->masked_payload_bits = masked;
      const std::int64_t bits = broadcast->bits(&clients_.downlink_codec(), d) + extra;
      ctx.send(client, Message{kFederatedModelTag, bits, std::move(broadcast)});
      count_down(client, bits, extra);
    }
  }
}

void SynchronousFederated::count_down(NodeId client, std::int64_t bits, std::int64_t secure_bits) {
  bits_down_ += static_cast<std::uint64_t>(bits);
  traffic_[client].down += static_cast<std::uint64_t>(bits);
  secure_bits_ += static_cast<std::uint64_t>(secure_bits);
}

void SynchronousFederated::start_secure_aggregation(Context& ctx) {
  advertised_.clear();
  members_.clear();
  const auto selected = static_cast<std::uint32_t>(cohort_.size());
  plan_ = std::make_unique<SecureAggregationPlan>(config_.secure_aggregation, selected, selected, x_.size());
  ++secure_totals_.rounds;
  send_steps(ctx, SecureAggregationPhase::advertise, cohort_);
}

void SynchronousFederated::send_steps(Context& ctx, SecureAggregationPhase phase, const std::vector<NodeId>& to) {
  phase_ = phase;
  phase_began_ = ctx.now();
  awaited_ = to;
  ++secure_totals_.exchanges;
  if (phase == SecureAggregationPhase::advertise)
    secure_totals_.client_flops += plan_->advertise_cost().flops * static_cast<double>(to.size());
  if (phase == SecureAggregationPhase::share)
    secure_totals_.client_flops += plan_->share_cost().flops * static_cast<double>(to.size());
  replied_.clear();
  std::int64_t request = 0;
  for (std::size_t i = 0; i < to.size(); ++i) {
    auto step = std::make_shared<SecureAggregationStep>();
    step->round = round_;
    step->phase = static_cast<std::uint32_t>(phase);
    step->began = current_.began;
    switch (phase) {
      case SecureAggregationPhase::advertise:
        request = plan_->advertise_request_bits();
        step->reply_bits = plan_->advertise_reply_bits();
        step->cost = plan_->advertise_cost();
        break;
      case SecureAggregationPhase::share:
        request = plan_->share_request_bits();
        step->reply_bits = plan_->share_reply_bits();
        step->cost = plan_->share_cost();
        break;
      case SecureAggregationPhase::unmask: {
        request = plan_->unmask_request_bits();
        // One share per neighbour that took part in the share round.
        const std::uint32_t own = position(to[i]);
        std::uint32_t participating = 0;
        for (NodeId member : members_) participating += plan_->adjacent(own, position(member));
        step->reply_bits = plan_->unmask_reply_bits(participating);
        break;
      }
    }
    ctx.send(to[i], Message{kFederatedSecureAggregationTag, request, std::move(step)});
    count_down(to[i], request, request);
  }
}

std::uint32_t SynchronousFederated::position(NodeId client) const {
  return static_cast<std::uint32_t>(std::lower_bound(advertised_.begin(), advertised_.end(), client) -
                                    advertised_.begin());
}

std::uint32_t SynchronousFederated::reported() const {
  std::uint32_t count = 0;
  for (NodeId client : gave_up_)
    count += std::find(awaited_.begin(), awaited_.end(), client) != awaited_.end();
  return count;
}

void SynchronousFederated::on_secure_aggregation_reply(Context& ctx, NodeId from, const Message& message) {
  secure_bits_ += static_cast<std::uint64_t>(message.size_bits);
  const auto& step = message.body_as<SecureAggregationStep>();
  const bool awaited = std::find(awaited_.begin(), awaited_.end(), from) != awaited_.end();
  if (step.round != round_ || !phase_ || step.phase != static_cast<std::uint32_t>(*phase_) || !awaited ||
      std::find(replied_.begin(), replied_.end(), from) != replied_.end()) {
    // Too late for its round or phase (the client was out of the round; it
    // was released when the round ended), or an answer past the t needed.
    return;
  }
  replied_.push_back(from);
  if (*phase_ == SecureAggregationPhase::unmask) {
    // t shares of each secret suffice: the server unmasks with the first t answers.
    if (replied_.size() >= plan_->threshold()) {
      current_.secure_aggregation_s += to_seconds(ctx.now() - phase_began_);
      phase_.reset();
      aggregate(ctx);
    }
    return;
  }
  if (replied_.size() + reported() >= awaited_.size()) advance_secure_aggregation(ctx);
}

void SynchronousFederated::advance_secure_aggregation(Context& ctx) {
  current_.secure_aggregation_s += to_seconds(ctx.now() - phase_began_);
  std::sort(replied_.begin(), replied_.end());
  secure_totals_.dropped_key_rounds += awaited_.size() - replied_.size();
  if (replied_.size() < plan_->threshold()) {
    // Fewer than t answered: the round fails.
    ++secure_totals_.failed;
    phase_.reset();
    kept_.clear();
    open_ = false;
    current_.closed = ctx.now();
    count_unheard(ctx, replied_, Close::deadline);
    current_.abandoned = true;
    return finish_round(ctx, false);
  }
  if (*phase_ == SecureAggregationPhase::advertise) {
    advertised_ = replied_;
    plan_ = std::make_unique<SecureAggregationPlan>(config_.secure_aggregation,
                                                    static_cast<std::uint32_t>(cohort_.size()),
                                                    static_cast<std::uint32_t>(advertised_.size()), x_.size());
    return send_steps(ctx, SecureAggregationPhase::share, std::vector<NodeId>(advertised_));
  }
  // The share round is over: its clients train on the model and upload masked updates.
  members_ = replied_;
  phase_.reset();
  awaited_ = members_;
  cohort_target_ = std::min<std::uint32_t>(cohort_target_, static_cast<std::uint32_t>(members_.size()));
  send_model(ctx);
}

std::shared_ptr<ModelBroadcast> SynchronousFederated::downlink_broadcast(NodeId client) {
  auto broadcast = std::make_shared<ModelBroadcast>();
  broadcast->round = round_;
  broadcast->began = current_.began;
  broadcast->control = shared_control_;
  if (downlink_->add_missed(client, round_, *broadcast)) return broadcast;
  if (!full_model_) full_model_ = std::make_shared<const std::vector<double>>(x_);
  broadcast->model = full_model_;
  return broadcast;
}

void SynchronousFederated::on_update(Context& ctx, NodeId from, const Message& message) {
  // A silent Byzantine client sends nothing: the server never hears from it
  // (it stays busy, as a crashed client would).
  if (config_.attack.kind == AttackKind::none && is_byzantine(from)) {
    bits_up_ -= static_cast<std::uint64_t>(message.size_bits);
    return;
  }
  auto update = std::static_pointer_cast<const ClientUpdate>(message.body);
  release(from);
  pending_drops_.erase(from);  // late, as counted
  // A diverged client's NaN ranks first, as an unknown loss does.
  if (update->reports_loss && !last_loss_.empty())
    last_loss_[from] = std::isnan(update->loss) ? std::numeric_limits<float>::infinity() : update->loss;
  if (open_ && update->round == round_) {
    const double weight =
        config_.weighting == UpdateWeighting::samples ? static_cast<double>(update->samples) : 1.0;
    kept_.push_back(KeptUpdate{from, weight, std::move(update)});
    if (kept_.size() >= cohort_target_) {
      close_round(ctx, Close::enough);
    } else if (kept_.size() + reported() >= awaited_.size()) {
      // The others of the cohort checked in having lost their work before this arrived.
      close_round(ctx, Close::reported);
    }
  } else {
    ++late_updates_;
    if (config_.ef21) {
      // Its change to the client's estimate still counts (folded in with the next aggregation).
      const double weight =
          config_.weighting == UpdateWeighting::samples ? static_cast<double>(update->samples) : 1.0;
      ef21_unused_.push_back(KeptUpdate{from, weight, std::move(update)});
    } else if (config_.late_updates == LateUpdates::stale) {
      const double weight =
          config_.weighting == UpdateWeighting::samples ? static_cast<double>(update->samples) : 1.0;
      stale_.push_back(KeptUpdate{from, weight, std::move(update), true});
    }
  }
  if (waiting_) begin_round(ctx);
}

void SynchronousFederated::count_unheard(Context& ctx, const std::vector<NodeId>& heard, Close why) {
  for (NodeId client : cohort_) {
    if (std::binary_search(heard.begin(), heard.end(), client)) continue;
    if (crashed_by(client, ctx.now()) || (config_.attack.kind == AttackKind::none && is_byzantine(client)))
      ++current_.dropped_failure;
    else if (!availability_.available_throughout(client, current_.began, ctx.now()))
      ++current_.dropped_unavailable;
    else if (std::find(gave_up_.begin(), gave_up_.end(), client) != gave_up_.end())
      ++current_.dropped_failure;  // back from a churn outage
    else {
      ++(why == Close::enough ? current_.surplus : current_.dropped_deadline);
      pending_drops_[client] = PendingDrop{round_, why == Close::enough};
    }
  }
}

void SynchronousFederated::close_round(Context& ctx, Close why) {
  open_ = false;
  current_.closed = ctx.now();
  // Who was not heard from, and why: the simulator's knowledge (crashes,
  // availability), then what the server saw (check-ins after an outage).
  std::vector<NodeId> heard;
  heard.reserve(kept_.size());
  for (const KeptUpdate& kept : kept_) heard.push_back(kept.client);
  std::sort(heard.begin(), heard.end());
  count_unheard(ctx, heard, why);
  // DP-FedAvg never abandons a round: an unchanged model would tell that the cohort was empty.
  bool too_few = kept_.size() < config_.cohort.min_updates && !config_.user_privacy.enabled;
  if (plan_ && kept_.size() < plan_->threshold()) {
    too_few = true;  // secure aggregation: fewer than t survive
    ++secure_totals_.failed;
  }
  if (!too_few && config_.robust_aggregator) {
    try {
      config_.robust_aggregator->check_inputs(kept_.size() + stale_.size());
    } catch (const std::invalid_argument&) {
      too_few = true;  // e.g. Krum with n <= 2f + 2 after a deadline
    }
  }
  if (too_few) {
    current_.abandoned = true;
    if (config_.ef21)
      for (KeptUpdate& kept : kept_) ef21_unused_.push_back(std::move(kept));
    kept_.clear();
    return finish_round(ctx, false);
  }
  current_.participants = static_cast<std::uint32_t>(kept_.size());
  if (plan_) {
    // Secure aggregation: the survivors send the shares that unmask the sum.
    std::vector<NodeId> survivors = heard;
    return send_steps(ctx, SecureAggregationPhase::unmask, survivors);
  }
  aggregate(ctx);
}

void SynchronousFederated::aggregate(Context& ctx) {
  const UserPrivacy& user = config_.user_privacy;
  // Late updates of earlier rounds join this aggregation.
  current_.stale_updates = static_cast<std::uint32_t>(stale_.size());
  // Each weighs s(tau) times its weight, tau >= 1 the rounds since its own
  // (FedAsync's s: staleness_function, staleness_exponent).
  for (KeptUpdate& stale : stale_) {
    stale.weight *= staleness_factor(config_.asynchronous.function, config_.asynchronous.exponent,
                                     round_ - stale.update->round);
    kept_.push_back(std::move(stale));
  }
  stale_.clear();
  // Client-id order: the sum does not depend on who arrived first.
  std::sort(kept_.begin(), kept_.end(), [](const KeptUpdate& a, const KeptUpdate& b) {
    return a.client < b.client || (a.client == b.client && a.update->round < b.update->round);
  });
  double weights = 0, weighted_steps = 0, steps = 0;
  current_.local_steps_min = kept_.empty() ? 0 : kept_.front().update->local_steps;
  for (const KeptUpdate& kept : kept_) {
    const std::uint32_t taken = kept.update->local_steps;
    weights += kept.weight;
    weighted_steps += kept.weight * static_cast<double>(taken);
    steps += static_cast<double>(taken);
    current_.local_steps_min = std::min(current_.local_steps_min, taken);
    current_.local_steps_max = std::max(current_.local_steps_max, taken);
  }
  current_.local_steps_mean = kept_.empty() ? 0.0 : steps / static_cast<double>(kept_.size());
  // FedNova: tau_eff = sum_i p_i tau_i over the kept updates.
  const double scale = config_.rule.normalized_averaging && weights > 0 ? weighted_steps / weights : 1.0;
  for (const KeptUpdate& kept : kept_) ++participations_[kept.client];
  const std::size_t d = x_.size();
  combined_.assign(d, 0.0);
  ComputeCost cost = user.enabled ? private_aggregation_cost(kept_.size(), d, user) : aggregator_->cost(kept_.size(), d);
  const bool robust = reports_aggregate_error(config_);
  if (robust) {
    const double n = static_cast<double>(kept_.size()), values = n * static_cast<double>(d);
    // Decoding each update into its own vector, the honest mean for
    // aggregate_error and the attacks' statistics, then the aggregator.
    cost.flops += 4.0 * values;
    cost.bytes += 16.0 * values;
    if (config_.robust_aggregator) {
      cost.flops += config_.robust_aggregator->cost_flops(kept_.size(), d);
      cost.bytes += 8.0 * values;
    }
  }
  cost.flops += optimizer_.flops_per_coordinate() * static_cast<double>(d);
  if (config_.rule.control_variates) {
    combined_control_.assign(d, 0.0);
    cost.flops += 2.0 * static_cast<double>(kept_.size() * d);
  }
  auto kept = std::make_shared<std::vector<KeptUpdate>>(std::move(kept_));
  kept_.clear();
  const double control_scale = 1.0 / total_weight_;
  if (config_.downlink_compressor) cost.flops += 4.0 * static_cast<double>(d);  // compress, decode, add
  if (plan_) {
    // Secure aggregation: the secrets rebuilt and the masks removed.
    std::vector<std::uint32_t> positions;
    std::vector<bool> survived;
    for (NodeId member : members_) {
      positions.push_back(position(member));
      survived.push_back(std::any_of(kept->begin(), kept->end(),
                                     [member](const KeptUpdate& update) { return update.client == member; }));
    }
    const ComputeCost unmasking = plan_->reconstruction_cost(positions, survived, config_.rule.control_variates);
    secure_totals_.server_flops += unmasking.flops;
    secure_totals_.dropped_masked += static_cast<std::uint64_t>(std::count(survived.begin(), survived.end(), false));
    cost.flops += unmasking.flops;
    cost.bytes += unmasking.bytes;
  }
  std::shared_ptr<std::vector<KeptUpdate>> unused;
  if (config_.ef21) {
    unused = std::make_shared<std::vector<KeptUpdate>>(std::move(ef21_unused_));
    ef21_unused_.clear();
    cost.flops += 2.0 * static_cast<double>(unused->size() * d);
  }
  ctx.start_compute(
      cost,
      [this, kept, unused, control_scale, scale, robust, round = round_] {
        // Only the server's buffers reserved for this task are written.
        if (config_.user_privacy.enabled) {
          const UserPrivacy& user = config_.user_privacy;
          UserPrivacy now = user;
          now.clip_norm = clip_norm_;
          now.noise_multiplier = user.adaptive ? user.update_noise_multiplier : user.noise_multiplier;
          RandomStream noise(config_.seed, round, purpose_id("fed.dp_noise"));
          const std::size_t clipped = private_aggregate(*kept, clients_.codec(), now, noise, combined_, private_scratch_);
          if (user.adaptive) {
            RandomStream count(config_.seed, round, purpose_id("fed.dp_count"));
            clip_norm_ = next_clip_norm(clip_norm_, kept->size() - clipped, kept->size(), user, count);
          }
        } else if (robust)
          robust_aggregate(*kept, round);
        else if (unused)
          ef21_aggregate(*kept, *unused);
        else
          aggregator_->aggregate(*kept, clients_.codec(), combined_);
        if (scale != 1.0)
          for (double& value : combined_) value *= scale;
        if (config_.rule.control_variates) add_control_deltas(*kept, control_scale, combined_control_);
      },
      round_);
}

void SynchronousFederated::ef21_aggregate(const std::vector<KeptUpdate>& kept,
                                          const std::vector<KeptUpdate>& unused) {
  // g = sum_i (w_i / W) g_i over every client: each message moves it by
  // (w_i / W) C(v_i - g_i), the updates of earlier rounds the server did not
  // aggregate first (arrival order), then this round's in client-id order.
  const VectorCodec& codec = clients_.codec();
  if (ef21_estimate_.empty()) ef21_estimate_.assign(x_.size(), 0.0);
  for (const std::vector<KeptUpdate>* updates : {&unused, &kept})
    for (const KeptUpdate& update : *updates)
      codec.add_decoded(*update.update->delta, update.weight / total_weight_, ef21_estimate_);
  std::copy(ef21_estimate_.begin(), ef21_estimate_.end(), combined_.begin());
}

void SynchronousFederated::robust_aggregate(const std::vector<KeptUpdate>& kept, std::uint64_t round) {
  const std::size_t n = kept.size(), d = x_.size();
  const VectorCodec& codec = clients_.codec();
  std::vector<std::vector<double>> vectors(n, std::vector<double>(d, 0.0));
  std::vector<KeptUpdate> honest_kept;
  std::vector<VectorView> honest;
  for (std::size_t i = 0; i < n; ++i) {
    codec.add_decoded(*kept[i].update->delta, 1.0, vectors[i]);
    if (!is_byzantine(kept[i].client)) {
      honest_kept.push_back(kept[i]);
      honest.emplace_back(vectors[i]);
    }
  }
  // The honest mean, by the same arithmetic as the mean aggregator.
  std::vector<double> honest_mean(d, 0.0);
  if (!honest_kept.empty()) aggregator_->aggregate(honest_kept, codec, honest_mean);
  // Every attack vector sees the honest vectors only, then replaces its sender's.
  const AttackKind attack = config_.attack.kind;
  if (honest_kept.size() < n && attack != AttackKind::label_flip && attack != AttackKind::none) {
    RandomStream rng(config_.seed, round, purpose_id("fed.byzantine"));
    std::vector<std::pair<std::size_t, Eigen::VectorXd>> sent;
    for (std::size_t i = 0; i < n; ++i) {
      if (!is_byzantine(kept[i].client)) continue;
      const VectorView own(vectors[i]);
      const std::span<const VectorView> seen = honest.empty() ? std::span<const VectorView>(&own, 1)
                                                              : std::span<const VectorView>(honest);
      sent.emplace_back(i, byzantine_vector(config_.attack, own, seen, rng));
    }
    for (const auto& [i, vector] : sent) std::copy(vector.begin(), vector.end(), vectors[i].begin());
  }
  if (!config_.robust_aggregator) {
    // The weighted mean of the vectors sent, in client-id order.
    double total = 0;
    for (const KeptUpdate& update : kept) total += update.weight;
    std::fill(combined_.begin(), combined_.end(), 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      const double weight = kept[i].weight / total;
      for (std::size_t k = 0; k < d; ++k) combined_[k] += weight * vectors[i][k];
    }
  } else {
    std::vector<VectorView> inputs(vectors.begin(), vectors.end());
    std::vector<double> weights;
    for (const KeptUpdate& update : kept) weights.push_back(update.weight);
    RandomStream bucket_rng(config_.seed, round, purpose_id("fed.bucketing"));
    AggregationContext context{weights, previous_aggregate_, &bucket_rng};
    const Eigen::VectorXd aggregate = config_.robust_aggregator->aggregate(inputs, context);
    std::copy(aggregate.begin(), aggregate.end(), combined_.begin());
    previous_aggregate_ = combined_;
  }
  aggregate_error_ = honest_kept.empty() ? std::numeric_limits<double>::quiet_NaN()
                                         : robust_detail::squared_distance(combined_, honest_mean);
}

void SynchronousFederated::finish_round(Context& ctx, bool aggregated) {
  // Secure aggregation: who left in the advertise or share round is out of
  // this round (a late answer is ignored); those of the share round stay
  // busy until their update, however late, arrives.
  if (plan_)
    for (NodeId client : cohort_)
      if (!std::binary_search(members_.begin(), members_.end(), client)) release(client);
  if (aggregated) {
    current_.aggregate_error = aggregate_error_;
    apply_step(ctx);
    // DP-FedAvg: one sampled Gaussian mechanism per released model.
    if (config_.user_privacy.ledger) config_.user_privacy.ledger->record_steps(0);
    for (std::size_t k = 0; k < control_.size(); ++k) control_[k] += combined_control_[k];
  }
  current_.ended = ctx.now();
  current_.abandoned_so_far = (records_.empty() ? 0 : records_.back().abandoned_so_far) + current_.abandoned;
  current_.bits_up = bits_up_;
  current_.bits_down = bits_down_;
  current_.secure_aggregation_bits = secure_bits_;
  records_.push_back(current_);
  ++round_;
  if (snapshots_ && snapshots_->wanted(round_) && snapshots_->contribute(0, round_, ctx.now(), x_))
    ctx.request_stop();
  begin_round(ctx);
}

void SynchronousFederated::apply_step(Context& ctx) {
  if (!config_.downlink_compressor) return optimizer_.apply(x_, combined_);
  // s_t = (x_t + the optimiser's step) - x_t, then x_{t+1} = x_t + decode(C(s_t [+ e])).
  std::vector<double> step = x_;
  optimizer_.apply(step, combined_);
  for (std::size_t k = 0; k < step.size(); ++k) step[k] -= x_[k];
  RandomStream rng = ctx.rng(purpose_id("fed.downlink"));
  downlink_->apply(round_, step, x_, rng);
}

}  // namespace dlsim
