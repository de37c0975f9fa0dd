// The asynchronous federated server; see asynchronous_server.hpp.
#include "algorithms/federated/asynchronous_server.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/engine.hpp"
#include "sim/random.hpp"


namespace dlsim {
namespace {

FederatedConfig checked(FederatedConfig config) {
  validate(config);
  return config;
}

}  // namespace

AsynchronousFederated::AsynchronousFederated(FederatedConfig config, RoundSnapshots* snapshots,
                                             const StepFactory& make_step)
    : config_(checked(std::move(config))),
      snapshots_(snapshots),
      server_(config_.clients),
      availability_(config_.availability, config_.seed),
      clients_(config_, availability_, server_),
      selector_(config_.cohort.sampling, config_.seed, {}),
      step_(make_step(config_)),
      busy_(config_.clients, 0),
      idle_(config_.clients),
      participations_(config_.clients, 0) {
  if (!step_->fixed_workers() && config_.asynchronous.concurrency > config_.clients)
    throw std::invalid_argument(fmt::format("concurrency = {} is more than the {} clients",
                                            config_.asynchronous.concurrency, config_.clients));
  if (config_.cohort.sampling == ClientSampling::weighted || config_.cohort.sampling == ClientSampling::power_of_choice) {
    std::vector<double> weights(config_.clients);
    for (NodeId client = 0; client < config_.clients; ++client)
      weights[client] = static_cast<double>(clients_.table().samples(client));
    selector_ = CohortSelector(config_.cohort.sampling, config_.seed, std::move(weights), config_.cohort.candidates);
  }
  if (config_.cohort.sampling == ClientSampling::power_of_choice)
    last_loss_.assign(config_.clients, std::numeric_limits<float>::infinity());
  x_ = initial_server_model(config_);
  next_.assign(x_.size(), 0.0);
  if (config_.downlink_compressor)
    downlink_ = std::make_unique<DownlinkHistory>(clients_.downlink_codec(), config_.clients, config_.error_feedback);
}

AsynchronousFederated::~AsynchronousFederated() = default;

std::vector<std::string> AsynchronousFederated::metric_columns() {
  return {"participants",        "staleness_mean",  "staleness_max",  "bits_up",
          "bits_down",           "dropped_unavailable", "dropped_failure", "dropped_timeout"};
}

void AsynchronousFederated::metric_values(std::uint64_t round, std::vector<double>& row) const {
  // The steps (last_row_, round]; none for a repeated or an earlier round.
  const std::uint64_t end = std::min<std::uint64_t>(round, records_.size());
  const std::uint64_t begin = std::min(last_row_, end);
  last_row_ = std::max(last_row_, end);
  std::uint64_t updates = 0, staleness = 0, most = 0, unavailable = 0, failures = 0, timeouts = 0;
  if (end > begin) {
    const AsynchronousStepRecord* before = begin > 0 ? &records_[begin - 1] : nullptr;
    updates = records_[end - 1].updates_so_far - (before ? before->updates_so_far : 0);
    staleness = records_[end - 1].staleness_so_far - (before ? before->staleness_so_far : 0);
    unavailable = records_[end - 1].unavailable_so_far - (before ? before->unavailable_so_far : 0);
    failures = records_[end - 1].failures_so_far - (before ? before->failures_so_far : 0);
    timeouts = records_[end - 1].timeouts_so_far - (before ? before->timeouts_so_far : 0);
    for (std::uint64_t step = begin; step < end; ++step) most = std::max(most, records_[step].staleness_max);
  }
  const AsynchronousStepRecord* last = end > 0 ? &records_[end - 1] : nullptr;
  row.insert(row.end(), {static_cast<double>(updates),
                         updates > 0 ? static_cast<double>(staleness) / static_cast<double>(updates) : 0.0,
                         static_cast<double>(most), last ? static_cast<double>(last->bits_up) : 0.0,
                         last ? static_cast<double>(last->bits_down) : 0.0, static_cast<double>(unavailable),
                         static_cast<double>(failures), static_cast<double>(timeouts)});
}

std::vector<std::pair<std::string, double>> AsynchronousFederated::summary_figures() const {
  std::uint64_t participated = 0, most = 0, applied = 0, staleness = 0, stalest = 0;
  for (std::uint32_t count : participations_) {
    participated += count > 0;
    most = std::max<std::uint64_t>(most, count);
    applied += count;
  }
  for (std::uint64_t value : staleness_history_) {
    staleness += value;
    stalest = std::max(stalest, value);
  }
  return {{"clients", static_cast<double>(config_.clients)},
          {"clients_participated", static_cast<double>(participated)},
          {"max_participations", static_cast<double>(most)},
          {"updates_aggregated", static_cast<double>(applied)},
          {"staleness_mean", applied > 0 ? static_cast<double>(staleness) / static_cast<double>(applied) : 0.0},
          {"staleness_max", static_cast<double>(stalest)},
          {"late_updates", static_cast<double>(late_updates_)},
          {"dropped_unavailable", static_cast<double>(dropped_unavailable_)},
          {"dropped_failure", static_cast<double>(dropped_failure_)},
          {"dropped_timeout", static_cast<double>(dropped_timeout_)},
          // Time-varying availability adds the client's away flag, a trace its offset.
          {"idle_client_bytes",
           static_cast<double>(FederatedClients::idle_client_bytes() + clients_.extra_idle_client_bytes() +
                               sizeof(std::uint8_t) + sizeof(std::uint32_t) + (last_loss_.empty() ? 0 : sizeof(float)) +
                               (downlink_ ? DownlinkHistory::idle_client_bytes() : 0) +
                               (availability_.time_varying() ? sizeof(std::uint8_t) : 0) +
                               (config_.availability.trace ? sizeof(std::uint64_t) : 0))}};
}

bool AsynchronousFederated::resumes_on_rejoin(NodeId node) const {
  return !finished() && (training_.count(node) > 0 || written_off_.count(node) > 0);
}

std::vector<std::string> AsynchronousFederated::waits(const Engine& engine) const {
  if (finished()) return {};
  // Down or crashed clients first: they are why nothing arrives.
  std::vector<NodeId> at_work;
  for (const auto& [client, work] : training_) at_work.push_back(client);
  std::stable_partition(at_work.begin(), at_work.end(), [&](NodeId client) { return !engine.is_up(client); });
  constexpr std::size_t kNamed = 8;
  std::string who;
  for (std::size_t i = 0; i < std::min(at_work.size(), kNamed); ++i)
    who += fmt::format("{}{}{}", i == 0 ? "" : ", ", at_work[i], engine.is_up(at_work[i]) ? "" : " (down)");
  if (at_work.size() > kNamed) who += fmt::format(" and {} more", at_work.size() - kNamed);
  if (training_.empty() && idle_ > 0 && !availability_.always())
    return {fmt::format("the server (node {}) waits for {} more updates for step {}, and no client is at work: none "
                        "of its {} idle clients will be available again (availability {})",
                        server_, step_->batch_size() - std::min<std::size_t>(arrived_.size(), step_->batch_size()),
                        version_, idle_, availability_name(config_.availability.kind))};
  return {fmt::format("the server (node {}) waits for {} more updates for step {}, from the clients at work: {}", server_,
                      step_->batch_size() - std::min<std::size_t>(arrived_.size(), step_->batch_size()), version_,
                      who.empty() ? "none" : who)};
}

void AsynchronousFederated::on_start(Context& ctx) {
  if (ctx.self() != server_) return clients_.on_start(ctx);
  if (ctx.rejoining()) return;  // the server is never taken down
  if (snapshots_ && snapshots_->contribute(0, 0, ctx.now(), x_)) ctx.request_stop();
  if (finished()) return;
  if (step_->fixed_workers() && availability_.always()) {
    for (NodeId worker = 0; worker < config_.clients; ++worker) start_work(ctx, worker);
    return;
  }
  fill(ctx);
}

void AsynchronousFederated::on_message(Context& ctx, NodeId from, const Message& message) {
  if (ctx.self() != server_) {
    if (message.tag == kFederatedModelTag) clients_.on_model(ctx, message);
    return;
  }
  bits_up_ += static_cast<std::uint64_t>(message.size_bits);
  if (message.tag == kFederatedUpdateTag) return on_update(ctx, from, message);
  if (message.tag == kFederatedCheckInTag) on_check_in(ctx, from);
}

void AsynchronousFederated::on_timer(Context& ctx, std::uint64_t tag) {
  if (ctx.self() != server_) return clients_.on_timer(ctx, tag);
  if (tag & kTimeoutTag) return time_out(ctx, static_cast<NodeId>(tag & ~kTimeoutTag));
  if (tag != (kWakeTag | wake_)) return;  // superseded by an earlier wake-up
  wake_at_ = kNever;
  fill(ctx);
}

void AsynchronousFederated::on_compute_done(Context& ctx, std::uint64_t tag) {
  if (ctx.self() != server_) return clients_.on_trained(ctx, tag);
  // The step's task has finished: x_{t+1} is in next_ (with a downlink
  // compressor, x_t + s_t, which the server sends compressed).
  if (config_.downlink_compressor)
    compress_step(ctx);
  else
    std::swap(x_, next_);
  ++version_;
  model_.reset();
  broadcast_.reset();
  stepping_ = false;
  AsynchronousStepRecord record;
  record.ended = ctx.now();
  record.updates = static_cast<std::uint32_t>(batch_.size());
  const AsynchronousStepRecord* previous = records_.empty() ? nullptr : &records_.back();
  record.updates_so_far = (previous ? previous->updates_so_far : 0) + batch_.size();
  record.staleness_so_far = previous ? previous->staleness_so_far : 0;
  for (const StaleUpdate& stale : batch_) {
    record.staleness_max = std::max(record.staleness_max, stale.staleness);
    record.staleness_so_far += stale.staleness;
    staleness_history_.push_back(stale.staleness);
    applied_clients_.push_back(stale.client);
    ++participations_[stale.client];
  }
  record.bits_up = bits_up_;
  record.bits_down = bits_down_;
  record.unavailable_so_far = dropped_unavailable_;
  record.failures_so_far = dropped_failure_;
  record.timeouts_so_far = dropped_timeout_;
  records_.push_back(record);
  batch_.clear();
  // The clients that waited for this step start again from x_{t+1} (the
  // parameter server's workers), or make room for those drawn in their place.
  const std::vector<NodeId> waiting = std::move(waiting_);
  waiting_.clear();
  for (NodeId client : waiting) release(client);
  if (!finished() && !waiting.empty()) {
    if (step_->fixed_workers() && availability_.always()) {
      for (NodeId client : waiting) start_work(ctx, client);
    } else {
      fill(ctx);
    }
  }
  if (snapshots_ && snapshots_->wanted(version_) && snapshots_->contribute(0, version_, ctx.now(), x_))
    ctx.request_stop();
  try_step(ctx);
}

void AsynchronousFederated::release(NodeId client) {
  if (!busy_[client]) return;
  busy_[client] = 0;
  ++idle_;
}

void AsynchronousFederated::start_work(Context& ctx, NodeId client) {
  if (!model_) model_ = std::make_shared<const std::vector<double>>(x_);
  if (!busy_[client]) {
    busy_[client] = 1;
    --idle_;
  }
  Work& work = training_[client] = Work{version_, ctx.now(), kNever, model_};
  if (config_.asynchronous.client_timeout > 0 && !step_->fixed_workers()) {
    work.deadline = ctx.now() + std::min(config_.asynchronous.client_timeout, kLatestTime - ctx.now());
    ctx.set_timer(work.deadline - ctx.now(), kTimeoutTag | client);
  }
  std::shared_ptr<const ModelBroadcast> broadcast;
  std::int64_t bits = 0;
  if (config_.downlink_compressor) {
    broadcast = downlink_broadcast(ctx, client);
    bits = broadcast->bits(&clients_.downlink_codec(), x_.size());
  } else {
    // One body for the clients started together: `began` is when each was
    // sent it (a client checks its availability from then on).
    if (!broadcast_ || broadcast_->began != ctx.now()) {
      auto shared = std::make_shared<ModelBroadcast>();
      shared->round = version_;
      shared->began = ctx.now();
      shared->model = model_;
      broadcast_ = std::move(shared);
    }
    broadcast = broadcast_;
    bits = broadcast->bits(nullptr, x_.size());
  }
  ctx.send(client, Message{kFederatedModelTag, bits, std::move(broadcast)});
  bits_down_ += static_cast<std::uint64_t>(bits);
}

std::shared_ptr<const ModelBroadcast> AsynchronousFederated::downlink_broadcast(Context& ctx, NodeId client) {
  auto broadcast = std::make_shared<ModelBroadcast>();
  broadcast->round = version_;
  broadcast->began = ctx.now();
  if (!downlink_->add_missed(client, version_, *broadcast)) broadcast->model = model_;
  return broadcast;
}

void AsynchronousFederated::compress_step(Context& ctx) {
  // s_t = next_ - x_t, then x_{t+1} = x_t + decode(C(s_t [+ e])), as every client adds it.
  for (std::size_t k = 0; k < next_.size(); ++k) next_[k] -= x_[k];
  RandomStream rng = ctx.rng(purpose_id("fed.downlink"));
  downlink_->apply(version_, next_, x_, rng);
}

void AsynchronousFederated::fill(Context& ctx) {
  if (finished()) return;
  std::function<bool(NodeId)> available;
  if (!availability_.always())
    available = [this, now = ctx.now(), draw = selections_](NodeId client) {
      return availability_.available(client, now, draw);
    };
  if (step_->fixed_workers()) {
    // Every idle worker that is available now, in id order.
    ++selections_;
    for (NodeId worker = 0; worker < config_.clients; ++worker)
      if (!busy_[worker] && (!available || available(worker))) start_work(ctx, worker);
    return wait_for_availability(ctx);
  }
  const std::uint32_t busy = slots_taken();
  if (busy >= config_.asynchronous.concurrency) return;
  std::vector<NodeId> drawn;
  // The selector marks the drawn clients busy; start_work sees them so.
  selector_.select(selections_++, config_.asynchronous.concurrency - busy, busy_, idle_, drawn, last_loss_,
                   available);
  idle_ -= static_cast<std::uint32_t>(drawn.size());
  for (NodeId client : drawn) start_work(ctx, client);
  wait_for_availability(ctx);
}

void AsynchronousFederated::wait_for_availability(Context& ctx) {
  if (availability_.always() || availability_.never_available() || idle_ == 0 || finished()) return;
  if (!step_->fixed_workers() && slots_taken() >= config_.asynchronous.concurrency) return;
  // A slot is empty and every idle client was unavailable to the draw.
  SimTime next = kNever;
  if (config_.availability.kind == AvailabilityKind::bernoulli) {
    next = ctx.now() + std::min(config_.availability.retry, kLatestTime - ctx.now());
  } else {
    for (NodeId client = 0; client < config_.clients; ++client)
      if (!busy_[client]) next = std::min(next, availability_.next_available(client, ctx.now()));
  }
  if (next == kNever || next <= ctx.now()) return;
  if (wake_at_ > ctx.now() && wake_at_ <= next) return;  // an earlier wake-up will draw
  wake_at_ = next;
  ctx.set_timer(next - ctx.now(), kWakeTag | ++wake_);
}

void AsynchronousFederated::on_update(Context& ctx, NodeId from, const Message& message) {
  auto update = std::static_pointer_cast<const ClientUpdate>(message.body);
  const auto work = training_.find(from);
  if (work == training_.end()) {  // work the server had written off (the client checked in since, or timed out)
    ++late_updates_;
    if (written_off_.erase(from) > 0) {
      release(from);
      fill(ctx);
    }
    return;
  }
  Work base = std::move(work->second);
  training_.erase(work);
  // A diverged client's NaN ranks first, as an unknown loss does.
  if (update->reports_loss && !last_loss_.empty())
    last_loss_[from] = std::isnan(update->loss) ? std::numeric_limits<float>::infinity() : update->loss;
  if (finished()) {
    ++late_updates_;
    release(from);
    return;
  }
  arrived_.push_back(Arrival{from, std::move(update), std::move(base)});
  const bool stepped = try_step(ctx);
  if (!step_->replaces_on_arrival()) return;
  // FedBuff: the client is replaced now, from x_t, unless its update
  // completed a buffer: then from the model that buffer makes, as with the
  // paper's server, which steps at once.
  if (stepped) {
    waiting_.push_back(from);
    return;
  }
  release(from);
  fill(ctx);
}

std::uint32_t AsynchronousFederated::slots_taken() const {
  return config_.clients - idle_ - static_cast<std::uint32_t>(written_off_.size());
}

void AsynchronousFederated::time_out(Context& ctx, NodeId client) {
  const auto work = training_.find(client);
  if (work == training_.end() || work->second.deadline != ctx.now()) return;  // heard from, or a later work's
  if (!availability_.available_throughout(client, work->second.sent, ctx.now()))
    ++dropped_unavailable_;
  else
    ++dropped_timeout_;
  training_.erase(work);
  written_off_.insert(client);
  fill(ctx);
}

void AsynchronousFederated::on_check_in(Context& ctx, NodeId from) {
  if (downlink_) downlink_->forget(from);  // an outage may have taken the client's model
  if (written_off_.erase(from) > 0) {  // its lost work was counted when it timed out
    release(from);
    return fill(ctx);
  }
  // Only work in progress was lost; an update that already arrived still counts.
  const auto work = training_.find(from);
  if (work == training_.end()) return;
  // Why, which the simulator knows: its availability ended since it was sent the model, or an outage.
  if (!availability_.available_throughout(from, work->second.sent, ctx.now()))
    ++dropped_unavailable_;
  else
    ++dropped_failure_;
  training_.erase(work);
  release(from);
  if (finished()) return;
  if (step_->fixed_workers() && availability_.always()) return start_work(ctx, from);
  fill(ctx);
}

bool AsynchronousFederated::try_step(Context& ctx) {
  const std::uint32_t size = step_->batch_size();
  if (stepping_ || finished() || arrived_.size() < size) return false;
  stepping_ = true;
  batch_.clear();
  for (std::uint32_t i = 0; i < size; ++i) {
    Arrival& arrival = arrived_.front();
    batch_.push_back(StaleUpdate{arrival.client, version_ - arrival.work.version, std::move(arrival.update),
                                 std::move(arrival.work.base)});
    arrived_.pop_front();
  }
  // Client-id order (one client's updates in arrival order): the step does
  // not depend on who arrived first within it.
  std::stable_sort(batch_.begin(), batch_.end(),
                   [](const StaleUpdate& a, const StaleUpdate& b) { return a.client < b.client; });
  if (!step_->replaces_on_arrival())
    for (const StaleUpdate& stale : batch_) waiting_.push_back(stale.client);
  ComputeCost cost = step_->cost(batch_.size(), x_.size());
  if (config_.downlink_compressor) cost.flops += 4.0 * static_cast<double>(x_.size());  // compress, decode, add
  ctx.start_compute(
      cost,
      [this, version = version_] {
        // Reads x_ and the batch, writes next_ and the step's own state only.
        step_->step(version, batch_, clients_.codec(), x_, next_);
      },
      version_);
  return true;
}

}  // namespace dlsim
