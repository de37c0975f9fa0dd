// Federated clients; see clients.hpp.
#include "algorithms/federated/clients.hpp"

#include <fmt/core.h>

#include <stdexcept>

#include "sim/random.hpp"

namespace dlsim {

FederatedClients::FederatedClients(const FederatedConfig& config, NodeId server)
    : config_(config),
      server_(server),
      table_(config.batches.generate ? ClientTable::generated(config.clients) : ClientTable(config.batches.partition)),
      trainer_(config_, table_),
      codec_(config.uplink_compressor),
      jobs_(config.clients),
      control_(config.rule.control_variates ? config.clients : 0) {}

std::size_t FederatedClients::idle_client_bytes() {
  return ClientTable::row_bytes() + sizeof(std::shared_ptr<LocalJob>) + sizeof(std::unique_ptr<std::vector<double>>);
}

std::uint64_t FederatedClients::remembered_clients() const {
  std::uint64_t count = 0;
  for (const auto& control : control_) count += control != nullptr;
  return count;
}

void FederatedClients::on_start(Context& ctx) {
  if (!ctx.rejoining()) return;
  // The work in progress died with the outage (its completion is discarded);
  // the task itself may still run, on its own copy of everything it writes.
  jobs_[ctx.self()].reset();
  ctx.send(server_, Message{kFederatedCheckInTag, kCheckInBits, nullptr});
}

void FederatedClients::on_model(Context& ctx, const Message& message) {
  const NodeId client = ctx.self();
  auto broadcast = std::static_pointer_cast<const ModelBroadcast>(message.body);
  auto job = std::make_shared<LocalJob>();
  job->round = broadcast->round;
  // A model that arrives while a job runs (sent after the client checked in
  // from an outage, with the previous model still in flight) replaces that
  // job; the serial tells the old task's completion apart, even for the same round.
  job->serial = ++table_.jobs_started(client);
  job->start = table_.cursor(client);
  job->steps = trainer_.steps(client);
  if (config_.rule.control_variates) {
    // c - c_i, with c_i = 0 before the first participation.
    job->correction = broadcast->control;
    if (const auto& own = control_[client])
      for (std::size_t k = 0; k < own->size(); ++k) job->correction[k] -= (*own)[k];
  }
  job->broadcast = std::move(broadcast);
  const ComputeCost cost = trainer_.cost(client, job->start, job->steps);
  jobs_[client] = job;
  ctx.start_compute(cost, [trainer = &trainer_, client, job] { trainer->run(client, *job); }, job->serial);
}

void FederatedClients::on_trained(Context& ctx, std::uint64_t serial) {
  const NodeId client = ctx.self();
  if (!jobs_[client] || jobs_[client]->serial != serial) return;  // a job lost to an outage, or replaced
  std::shared_ptr<LocalJob> job = std::move(jobs_[client]);
  const std::uint64_t round = job->round;
  table_.cursor(client) = job->end;
  auto update = std::make_shared<ClientUpdate>();
  update->round = round;
  // A parameter-server worker's gradient is weighted by its batch, a model update by the client's data.
  update->samples = config_.rule.sends_gradient ? job->batch_samples : table_.samples(client);
  update->local_steps = static_cast<std::uint32_t>(job->steps);
  RandomStream rng = ctx.rng(purpose_id("fed.compress"));
  update->delta = codec_.encode(round, job->delta, rng);
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
  const std::int64_t bits = update->bits(codec_);
  ctx.send(server_, Message{kFederatedUpdateTag, bits, std::move(update)});
}

}  // namespace dlsim
