// Federated clients; see clients.hpp.
#include "algorithms/federated/clients.hpp"

#include <fmt/core.h>

#include <stdexcept>

#include "algorithms/federated/error_feedback.hpp"
#include "privacy/local_dp.hpp"
#include "privacy/privacy_ledger.hpp"
#include "sim/random.hpp"

namespace dlsim {

FederatedClients::FederatedClients(const FederatedConfig& config, const ClientAvailability& availability,
                                   NodeId server)
    : config_(config),
      server_(server),
      table_(config.batches.generate ? ClientTable::generated(config.clients) : ClientTable(config.batches.partition)),
      trainer_(config_, table_),
      codec_(config.uplink_compressor),
      downlink_codec_(config.downlink_compressor),
      jobs_(config.clients),
      steps_(config.secure_aggregation.active() ? config.clients : 0),
      control_(config.rule.control_variates ? config.clients : 0),
      availability_(availability),
      away_(availability.time_varying() ? config.clients : 0, 0),
      residual_(config.error_feedback && config.uplink_compressor ? config.clients : 0),
      momentum_(config.worker_momentum > 0 ? config.clients : 0),
      known_(config.downlink_compressor ? config.clients : 0),
      probes_(config.cohort.probe ? config.clients : 0) {}

std::size_t FederatedClients::idle_client_bytes() {
  return ClientTable::row_bytes() + sizeof(std::shared_ptr<LocalJob>) + sizeof(std::unique_ptr<std::vector<double>>);
}

std::size_t FederatedClients::extra_idle_client_bytes() const {
  return (residual_.empty() ? 0 : sizeof(std::unique_ptr<std::vector<double>>)) +
         (momentum_.empty() ? 0 : sizeof(std::unique_ptr<std::vector<double>>)) +
         (probes_.empty() ? 0 : sizeof(std::shared_ptr<ProbeJob>)) +
         (known_.empty() ? 0 : sizeof(KnownModel)) +
         (steps_.empty() ? 0 : sizeof(std::shared_ptr<const SecureAggregationStep>));
}

std::uint64_t FederatedClients::remembered_clients() const {
  std::uint64_t count = 0;
  for (NodeId client = 0; client < config_.clients; ++client)
    count += (!control_.empty() && control_[client]) || (!residual_.empty() && residual_[client]) ||
             (!momentum_.empty() && momentum_[client]) ||
             (!known_.empty() && known_[client].x);
  return count;
}

std::span<const double> FederatedClients::last_model(NodeId client) const {
  if (known_.empty() || !known_[client].x) return {};
  return *known_[client].x;
}

std::span<const double> FederatedClients::residual(NodeId client) const {
  if (residual_.empty() || !residual_[client]) return {};
  return *residual_[client];
}

std::span<const double> FederatedClients::momentum(NodeId client) const {
  if (momentum_.empty() || !momentum_[client]) return {};
  return *momentum_[client];
}

void FederatedClients::on_start(Context& ctx) {
  if (!ctx.rejoining()) return;
  // The work in progress died with the outage (its completion is discarded);
  // the task itself may still run, on its own copy of everything it writes.
  std::shared_ptr<LocalJob>& job = jobs_[ctx.self()];
  const std::uint64_t round = job ? job->round : kNoRound;
  job.reset();
  if (!known_.empty()) known_[ctx.self()] = KnownModel{};
  if (!probes_.empty()) probes_[ctx.self()].reset();  // a probe dies with the outage too
  // This check-in also covers work lost by going away: no second one follows.
  if (!away_.empty()) away_[ctx.self()] = 0;
  check_in(ctx, round, ctx.outage_began());
}

void FederatedClients::check_in(Context& ctx, std::uint64_t round, SimTime outage_began) {
  auto body = std::make_shared<CheckIn>();
  body->round = round;
  body->outage_began = outage_began;
  ctx.send(server_, Message{kFederatedCheckInTag, kCheckInBits, std::move(body)});
}

void FederatedClients::go_away(Context& ctx, std::uint64_t round) {
  const NodeId client = ctx.self();
  away_[client] = 1;
  const SimTime back = availability_.next_available(client, ctx.now());
  if (back != kNever) ctx.set_timer(back - ctx.now(), round);
}

void FederatedClients::on_timer(Context& ctx, std::uint64_t round) {
  const NodeId client = ctx.self();
  if (away_.empty() || !away_[client]) return;  // checked in already (after an outage)
  // A timer of an earlier absence may fire while the client is away again: wait on.
  if (!availability_.available(client, ctx.now())) return go_away(ctx, round);
  away_[client] = 0;
  check_in(ctx, round);
}

void FederatedClients::on_model(Context& ctx, const Message& message) {
  const NodeId client = ctx.self();
  auto broadcast = std::static_pointer_cast<const ModelBroadcast>(message.body);
  // Gone since the selection: the model finds nobody.
  if (availability_.time_varying() && !availability_.available_throughout(client, broadcast->began, ctx.now()))
    return go_away(ctx, broadcast->round);
  auto job = std::make_shared<LocalJob>();
  job->round = broadcast->round;
  // A model that arrives while a job runs (sent after the client checked in
  // from an outage, with the previous model still in flight) replaces that
  // job; the serial tells the old task's completion apart, even for the same round.
  job->serial = ++table_.jobs_started(client);
  job->start = table_.cursor(client);
  job->model = start_model(client, *broadcast);
  if (!job->model) {
    // Steps from a model this client lost in an outage the server had not
    // heard of yet: it cannot train this round; it checks in again, which
    // gives up the round and gets it x_t itself next time.
    return check_in(ctx, broadcast->round);
  }
  job->steps = trainer_.steps(client, job->start);
  if (config_.rule.control_variates) {
    // c - c_i, with c_i = 0 before the first participation.
    job->correction = *broadcast->control;
    if (const auto& own = control_[client])
      for (std::size_t k = 0; k < own->size(); ++k) job->correction[k] -= (*own)[k];
  }
  job->broadcast = std::move(broadcast);
  ComputeCost cost = trainer_.cost(client, job->start, job->steps);
  // Rebuilding x_t: one decode and one addition per coordinate and update.
  const double rebuilt = static_cast<double>(job->broadcast->updates.size() * job->model->size());
  cost.flops += 2 * rebuilt;
  cost.bytes += 16 * rebuilt;
  // Worker momentum: three flops per coordinate, m_i read and written, the update read.
  if (!momentum_.empty()) {
    const double d = static_cast<double>(job->model->size());
    cost.flops += 3 * d;
    cost.bytes += 24 * d;
  }
  // Secure aggregation: key agreements and masks before the upload.
  cost.flops += job->broadcast->masking.flops;
  cost.bytes += job->broadcast->masking.bytes;
  // Local DP: the upload's clip and noise.
  cost.flops += local_dp_flops(static_cast<double>(job->model->size()), config_.message_privacy);
  // DP-SGD steps count when they start, in this handler: at a simulated time.
  if (config_.privacy.ledger) config_.privacy.ledger->record_steps(client, job->steps);
  jobs_[client] = job;
  ctx.start_compute(cost, [trainer = &trainer_, client, job] { trainer->run(client, *job); }, job->serial);
}

void FederatedClients::on_secure_aggregation_step(Context& ctx, const Message& message) {
  const NodeId client = ctx.self();
  auto step = std::static_pointer_cast<const SecureAggregationStep>(message.body);
  if (availability_.time_varying() && !availability_.available_throughout(client, step->began, ctx.now()))
    return go_away(ctx, step->round);
  steps_[client] = std::move(step);
  ctx.start_compute(steps_[client]->cost, [] {}, kSecureAggregationTask);
}

void FederatedClients::on_probe(Context& ctx, const Message& message) {
  const NodeId client = ctx.self();
  auto broadcast = std::static_pointer_cast<const ModelBroadcast>(message.body);
  if (availability_.time_varying() && !availability_.available_throughout(client, broadcast->began, ctx.now()))
    return go_away(ctx, broadcast->round);
  auto job = std::make_shared<ProbeJob>();
  job->round = broadcast->round;
  job->began = broadcast->began;
  probes_[client] = job;
  const Dataset& data = *config_.batches.data;
  const std::vector<std::uint32_t>& rows = config_.batches.partition[client];
  // One forward pass over the client's samples, reading each once.
  const double samples = static_cast<double>(rows.size());
  const ComputeCost cost{config_.model->flops_per_sample(data) * samples,
                         4.0 * samples * static_cast<double>(data.dim)};
  ctx.start_compute(
      cost,
      [model = config_.model, data = config_.batches.data, rows = std::span<const std::uint32_t>(rows),
       x = broadcast->model, job] {
        const std::unique_ptr<ModelWorkspace> workspace = model->make_workspace();
        job->loss = model->loss(*x, *data, rows, *workspace);
      },
      kProbeTag | job->round);
}

void FederatedClients::on_probed(Context& ctx, std::uint64_t round) {
  const NodeId client = ctx.self();
  if (probes_.empty() || !probes_[client] || probes_[client]->round != round) return;  // lost to an outage
  std::shared_ptr<ProbeJob> job = std::move(probes_[client]);
  if (availability_.time_varying() && !availability_.available_throughout(client, job->began, ctx.now()))
    return go_away(ctx, round);
  auto report = std::make_shared<LossReport>();
  report->round = round;
  report->loss = static_cast<float>(job->loss);
  ctx.send(server_, Message{kFederatedLossTag, kLossReportBits, std::move(report)});
}

void FederatedClients::on_trained(Context& ctx, std::uint64_t serial) {
  const NodeId client = ctx.self();
  if (serial == kSecureAggregationTask) {
    std::shared_ptr<const SecureAggregationStep> step = std::move(steps_[client]);
    if (!step) return;
    if (availability_.time_varying() && !availability_.available_throughout(client, step->began, ctx.now()))
      return go_away(ctx, step->round);
    const std::int64_t bits = step->reply_bits;
    ctx.send(server_, Message{kFederatedSecureAggregationTag, bits, std::move(step)});
    return;
  }
  if (!jobs_[client] || jobs_[client]->serial != serial) return;  // a job lost to an outage, or replaced
  std::shared_ptr<LocalJob> job = std::move(jobs_[client]);
  const std::uint64_t round = job->round;
  // Gone before the update could leave: it is lost, with the step of the cursor.
  if (availability_.time_varying() && !availability_.available_throughout(client, job->broadcast->began, ctx.now()))
    return go_away(ctx, round);
  table_.cursor(client) = job->end;
  auto update = std::make_shared<ClientUpdate>();
  update->round = round;
  // A parameter-server worker's gradient is weighted by its batch, a model update by the client's data.
  update->samples = config_.rule.sends_gradient ? job->batch_samples : table_.samples(client);
  update->local_steps = static_cast<std::uint32_t>(job->steps);  // at most 2^32 - 1 (LocalTrainer::steps)
  if (config_.rule.normalized_averaging)
    for (double& value : job->delta) value /= job->coefficients;
  if (!momentum_.empty()) {
    // m_i <- (1 - beta) u_i + beta m_i, sent in place of u_i.
    auto& momentum = momentum_[client];
    if (!momentum) momentum = std::make_unique<std::vector<double>>(job->delta.size(), 0.0);
    const double beta = config_.worker_momentum;
    for (std::size_t k = 0; k < job->delta.size(); ++k) {
      (*momentum)[k] = (1 - beta) * job->delta[k] + beta * (*momentum)[k];
      job->delta[k] = (*momentum)[k];
    }
  }
  if (config_.message_privacy.enabled) {
    // Local DP: what leaves the client is already clipped and noised; compression and error feedback only
    // post-process it.
    RandomStream noise(config_.seed, client, purpose_id("privacy.message_noise"), job->serial);
    privatize_update(job->delta, config_.message_privacy, noise);
    if (config_.message_privacy.ledger) config_.message_privacy.ledger->record_steps(client);
  }
  RandomStream rng = ctx.rng(purpose_id("fed.compress"));
  if (!residual_.empty()) {
    auto& residual = residual_[client];
    if (!residual) residual = std::make_unique<std::vector<double>>();
    update->delta = config_.ef21 ? encode_ef21(codec_, round, job->delta, *residual, rng)
                                 : encode_with_error_feedback(codec_, round, job->delta, *residual, rng);
  } else {
    update->delta = codec_.encode(round, job->delta, rng);
  }
  if (config_.cohort.sampling == ClientSampling::power_of_choice) {
    update->reports_loss = true;
    update->loss = static_cast<float>(job->mean_loss);
  }
  if (config_.rule.control_variates) {
    auto& own = control_[client];
    if (!own) own = std::make_unique<std::vector<double>>(job->control_delta.size(), 0.0);
    for (std::size_t k = 0; k < own->size(); ++k) (*own)[k] += job->control_delta[k];
    update->control_delta = std::move(job->control_delta);
  }
  update->masked_payload_bits = job->broadcast->masked_payload_bits;
  const std::int64_t bits = update->bits(codec_);
  ctx.send(server_, Message{kFederatedUpdateTag, bits, std::move(update)});
}

std::shared_ptr<const std::vector<double>> FederatedClients::start_model(NodeId client,
                                                                         const ModelBroadcast& broadcast) {
  if (broadcast.model) {
    if (!known_.empty()) known_[client] = KnownModel{broadcast.round, broadcast.model};
    return broadcast.model;
  }
  KnownModel& known = known_.at(client);
  // The server sends steps from the model it sent this client last; after an
  // outage that the server has not heard of yet, the client has none.
  if (!known.x || known.round != broadcast.base_round) return nullptr;
  auto x = std::make_shared<std::vector<double>>(*known.x);
  for (const auto& update : broadcast.updates) downlink_codec_.add_decoded(*update, 1.0, *x);
  known = KnownModel{broadcast.round, x};
  return x;
}

}  // namespace dlsim
