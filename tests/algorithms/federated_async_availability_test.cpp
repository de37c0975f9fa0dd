// The asynchronous federated servers with availability models and downlink
// compression, against exact counts: a client that the trace never makes
// available is never drawn (FedBuff, FedAsync, asynchronous parameter
// server), and synchronous parameter-server SGD, which needs every worker,
// waits for the missing ones; a client that leaves mid-training loses its
// update, holds its slot until it checks in (counted dropped_unavailable
// then) and is drawn again after; downlink messages have their exact sizes,
// every client's rebuilt model is one of the server's bit for bit, and the
// identity (fp32) compressor follows the uncompressed run to fp32 rounding;
// client_timeout writes off a slow client's work and refills its slot; runs with
// availability and downlink compression are bit-identical on one thread and
// on parallel windows.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <sstream>

#include "algorithms/federated/asynchronous_server.hpp"
#include "algorithms/federated/client_table.hpp"
#include "algorithms/federated/local_training.hpp"
#include "algorithms/federated/registry.hpp"
#include "compress/identity.hpp"
#include "compress/sign.hpp"
#include "compress/top_k.hpp"
#include "federated_async_fixture.hpp"

using namespace dlsim;
using namespace dlsim::federated_testing;

namespace {

std::shared_ptr<const AvailabilityTrace> trace_of(const std::string& text, std::uint32_t clients) {
  std::istringstream in(text);
  return std::make_shared<const AvailabilityTrace>(AvailabilityTrace::parse(in, "trace.csv", clients));
}

// 100 samples per client.
FederatedConfig config_for(std::uint32_t clients) {
  return logistic_config(clients, 100 * clients, partition_contiguous(100 * clients, clients));
}

// Client `client`'s local work at the engine's rates, in ns.
SimTime compute_ns(const FederatedConfig& config, const EngineConfig& engine, NodeId client) {
  ClientTable table(config.batches.partition);
  LocalTrainer trainer(config, table);
  const ComputeCost cost = trainer.cost(client, MinibatchCursor{}, config.local_steps);
  const double seconds = std::max(cost.flops / engine.compute.flops_per_second,
                                  cost.bytes / engine.compute.bytes_per_second);
  return static_cast<SimTime>(std::ceil(seconds * 1e9));
}

}  // namespace

TEST_CASE("an asynchronous server never draws a client that the trace never makes available", "[federated]") {
  // 8 clients; 2 and 5 have no interval, 6 one from 10^6 s on (after the run).
  constexpr std::uint32_t n = 8;
  FederatedConfig config = config_for(n);
  config.rounds = 40;
  config.batch_size = 16;
  config.local.schedule.base = 0.1;
  config.asynchronous.concurrency = 3;
  config.asynchronous.buffer_size = 2;
  config.availability.kind = AvailabilityKind::trace;
  config.availability.trace = trace_of("0,0,1e5\n1,0,1e5\n3,0,1e5\n4,0,1e5\n6,1e6,2e6\n7,0,1e5\n", n);
  EngineConfig engine = engine_for(n);
  engine.compute.flops_per_second = 1e7;
  engine.compute.jitter_sigma = 0.5;
  for (const std::string_view kind : {"fedbuff", "fedasync", "ps-async-sgd"}) {
    CAPTURE(kind);
    auto behaviour = make(kind, config);
    AsynchronousFederated& server = server_of(behaviour);
    run_all(server, engine);
    REQUIRE(server.rounds_completed(0) == config.rounds);
    const std::uint64_t per_step = kind == "fedbuff" ? 2 : 1;
    std::uint64_t total = 0;
    for (NodeId client = 0; client < n; ++client) total += server.participations(client);
    CHECK(total == config.rounds * per_step);
    for (NodeId client : {2u, 5u, 6u}) CHECK(server.participations(client) == 0);
    for (NodeId client : {0u, 1u, 3u, 4u, 7u}) CHECK(server.participations(client) > 0);
    CHECK(server.dropped_unavailable() == 0);
    CHECK(server.dropped_failure() == 0);
  }
  // Synchronous parameter-server SGD waits for a gradient from every worker:
  // the five available ones send one each, client 6 one at 10^6 s, and the
  // step never completes.
  auto behaviour = make("ps-sgd", config);
  AsynchronousFederated& server = server_of(behaviour);
  run_all(server, engine);
  CHECK(server.rounds_completed(0) == 0);
  Engine stalled(engine);
  CHECK_THAT(server.waits(stalled).at(0),
             Catch::Contains("step 0") && Catch::Contains("none of its 2 idle clients will be available again"));
}

TEST_CASE("a client that leaves mid-training loses its update and holds its slot until it checks in", "[federated]") {
  // FedBuff, 4 clients, all at work (concurrency 4), buffer 3. Client 2's
  // interval ends halfway through its first local work and the next begins
  // at `back`: its update is lost, nobody takes its slot (there is no idle
  // client, and the server does not know it is gone), the three others make
  // every step until it checks in at `back`, where the lost work is counted
  // as dropped_unavailable and client 2, the one idle client, is drawn again.
  constexpr std::uint32_t n = 4;
  FederatedConfig config = config_for(n);
  config.rounds = 60;
  config.local_steps = 5;
  config.asynchronous.concurrency = n;
  config.asynchronous.buffer_size = 3;
  EngineConfig engine = engine_for(n);
  engine.compute.flops_per_second = 1e6;
  const SimTime work = compute_ns(config, engine, 2);
  const SimTime leaves = kLatency + work / 2, back = 20 * (2 * kLatency + work);
  std::ostringstream trace;
  trace << "0,0,1e4\n1,0,1e4\n3,0,1e4\n2,0," << to_seconds(leaves) << "\n2," << to_seconds(back) << ",1e4\n";
  config.availability.kind = AvailabilityKind::trace;
  config.availability.trace = trace_of(trace.str(), n);
  auto behaviour = make("fedbuff", config);
  AsynchronousFederated& fedbuff = server_of(behaviour);
  run_all(fedbuff, engine);
  REQUIRE(fedbuff.rounds_completed(0) == config.rounds);
  CHECK(fedbuff.dropped_unavailable() == 1);
  CHECK(fedbuff.dropped_failure() == 0);
  REQUIRE(fedbuff.participations(2) > 0);
  // Every step before the check-in applies the three others' updates only.
  const auto& applied = fedbuff.applied_clients();
  std::size_t first = 0;
  while (applied[first] != 2) ++first;
  const AsynchronousStepRecord& step = fedbuff.records().at(first / 3);
  CHECK(step.ended > back + kLatency);
  CHECK(first / 3 > 0);
  CHECK(fedbuff.records().at(first / 3 - 1).ended < back + 2 * kLatency + work);
  CHECK(fedbuff.records().back().unavailable_so_far == 1);
  for (const auto& [name, value] : fedbuff.summary_figures())
    if (name == "dropped_unavailable") CHECK(value == 1);
}

TEST_CASE("client_timeout writes off a slow client's work and gives its slot to another client", "[federated]") {
  // FedBuff stepping on every update, 3 clients, 2 at once, drawn in id
  // order; client 1 is ten times slower than the others. With a timeout of
  // three fast works its work is always written off: its slot goes to
  // another client, its update arrives late and is dropped, and it is drawn
  // again only once that update has come in.
  constexpr std::uint32_t n = 3;
  FederatedConfig config = config_for(n);
  config.rounds = 40;
  config.local_steps = 5;
  config.cohort.sampling = ClientSampling::round_robin;
  config.asynchronous.concurrency = 2;
  config.asynchronous.buffer_size = 1;
  EngineConfig engine = engine_for(n);
  engine.compute.flops_per_second = 1e6;
  engine.compute.speed_factor = {1.0, 0.1, 1.0, 1e4};
  const SimTime work = compute_ns(config, engine, 0);
  REQUIRE(work > 10 * kLatency);

  auto waiting = make("fedbuff", config);
  run_all(*waiting, engine);
  CHECK(server_of(waiting).participations(1) > 0);
  CHECK(server_of(waiting).dropped_timeout() == 0);

  config.asynchronous.client_timeout = 3 * work;
  auto timing_out = make("fedbuff", config);
  AsynchronousFederated& server = server_of(timing_out);
  run_all(server, engine);
  REQUIRE(server.rounds_completed(0) == config.rounds);
  CHECK(server.participations(1) == 0);
  CHECK(server.participations(0) + server.participations(2) == config.rounds);
  CHECK(server.dropped_timeout() >= 1);
  CHECK(server.dropped_unavailable() == 0);
  // Every write-off of client 1 is answered by its late update; the others'
  // updates in flight when the run ends (at most one per slot) are late too.
  const double late = summary_figure(server, "late_updates"), timeouts = static_cast<double>(server.dropped_timeout());
  CHECK(late >= timeouts);
  CHECK(late <= timeouts + 2);
  CHECK(server.records().back().timeouts_so_far <= server.dropped_timeout());
  // The timeout ends the waiting for client 1: more steps in the same time.
  CHECK(server.records().back().ended < server_of(waiting).records().back().ended);
}

TEST_CASE("asynchronous downlink messages have their exact sizes and clients rebuild the server's models", "[federated]") {
  // d = 10, scaled sign: a step's message is 64 + 10 + 32 = 106 bits, the
  // model 64 d = 640. One worker (asynchronous parameter server) gets x_0
  // (64 + 32 + 640 bits), then after each step the one step it missed
  // (64 + 32 + 106): R steps send R broadcasts.
  FederatedConfig config = config_for(1);
  config.batch_size = 32;
  config.downlink_compressor = std::make_shared<ScaledSign>();
  for (std::uint64_t rounds : {9u, 10u}) {
    config.rounds = rounds;
    auto behaviour = make("ps-async-sgd", config);
    run_all(*behaviour, engine_for(1));
    REQUIRE(behaviour->rounds_completed(0) == rounds);
    CHECK(server_of(behaviour).records().back().bits_down == 736 + (rounds - 1) * 202);
  }
  // The worker's rebuilt x_9 is the server's x_9 bit for bit.
  config.rounds = 9;
  auto nine = make("ps-async-sgd", config);
  run_all(*nine, engine_for(1));
  config.rounds = 10;
  auto ten = make("ps-async-sgd", config);
  run_all(*ten, engine_for(1));
  const auto rebuilt = server_of(ten).clients().last_model(0);
  CHECK(std::vector<double>(rebuilt.begin(), rebuilt.end()) == server_model(*nine));
  CHECK(server_model(*nine) != std::vector<double>(10, 0.0));

  // FedBuff and FedAsync over 8 clients, 3 at once, top-3 downlink: every
  // client's last model is one of the server's x_t exactly.
  constexpr std::uint32_t n = 8;
  FederatedConfig many = config_for(n);
  many.rounds = 30;
  many.batch_size = 16;
  many.local.schedule.base = 0.1;
  many.asynchronous.concurrency = 3;
  many.asynchronous.buffer_size = 2;
  many.downlink_compressor = std::make_shared<TopK>(3, 0.0);
  EngineConfig engine = engine_for(n);
  engine.compute.flops_per_second = 1e7;
  engine.compute.jitter_sigma = 0.5;
  for (const std::string_view kind : {"fedbuff", "fedasync"}) {
    CAPTURE(kind);
    RoundSnapshots snapshots(1, 1, many.rounds);
    auto behaviour = make(kind, many, &snapshots);
    run_all(*behaviour, engine);
    REQUIRE(behaviour->rounds_completed(0) == many.rounds);
    std::vector<std::vector<double>> models;
    while (auto snapshot = snapshots.take_ready()) models.push_back(snapshot->models.at(0));
    int checked = 0;
    for (NodeId client = 0; client < n; ++client) {
      const auto last = server_of(behaviour).clients().last_model(client);
      if (last.empty()) continue;
      ++checked;
      CHECK(std::find(models.begin(), models.end(), std::vector<double>(last.begin(), last.end())) != models.end());
    }
    CHECK(checked >= 3);
  }
}

TEST_CASE("an identity downlink sends each step in fp32 and follows the uncompressed run to fp32 rounding", "[federated]") {
  // The identity's message is 64 + 32 d = 384 bits (fp32 values), under the
  // model's 640: the worker gets x_0 (736 bits), then each step (96 + 384),
  // and x_{t+1} = x_t + fp32(x_{t+1} - x_t) stays within fp32 rounding of the
  // uncompressed run, on the same timeline (unlimited bandwidth).
  FederatedConfig config = config_for(1);
  config.batch_size = 32;
  config.rounds = 30;
  auto exact = make("ps-async-sgd", config);
  run_all(*exact, engine_for(1));
  config.downlink_compressor = std::make_shared<Identity>();
  auto identity = make("ps-async-sgd", config);
  run_all(*identity, engine_for(1));
  const double difference = max_abs_difference(server_model(*exact), server_model(*identity));
  CHECK(difference > 0);
  CHECK(difference <= 1e-6);
  CHECK(server_of(identity).records().back().bits_down == 736 + 29 * (96 + 384));
  CHECK(server_of(exact).records().back().bits_down == 30 * (64 + 640));
  CHECK(server_of(identity).staleness_history() == server_of(exact).staleness_history());
  // The worker's model is the server's x_29 bit for bit.
  config.rounds = 29;
  auto earlier = make("ps-async-sgd", config);
  run_all(*earlier, engine_for(1));
  const auto rebuilt = server_of(identity).clients().last_model(0);
  CHECK(std::vector<double>(rebuilt.begin(), rebuilt.end()) == server_model(*earlier));
}

TEST_CASE("asynchronous runs with availability and downlink compression are bit-identical on 1 and 2 threads",
          "[federated]") {
  constexpr std::uint32_t n = 12;
  AvailabilityConfig bernoulli;
  bernoulli.kind = AvailabilityKind::bernoulli;
  bernoulli.probability = 0.4;
  bernoulli.retry = kLatency;
  AvailabilityConfig markov;
  markov.kind = AvailabilityKind::markov;
  markov.mean_up = 20 * kLatency;
  markov.mean_down = 10 * kLatency;
  AvailabilityConfig diurnal;
  diurnal.kind = AvailabilityKind::diurnal;
  diurnal.period = 50 * kLatency;
  diurnal.base = 0.5;
  diurnal.amplitude = 0.4;
  for (const AvailabilityConfig& availability : {bernoulli, markov, diurnal})
    for (const std::string_view kind : {"fedbuff", "fedasync", "ps-sgd", "ps-async-sgd"}) {
      CAPTURE(kind, availability_name(availability.kind));
      FederatedConfig config = config_for(n);
      config.rounds = 20;
      config.batch_size = 16;
      config.local.schedule.base = 0.1;
      config.asynchronous.concurrency = 5;
      config.asynchronous.buffer_size = 3;
      config.availability = availability;
      config.downlink_compressor = std::make_shared<ScaledSign>();
      config.error_feedback = true;
      std::vector<std::vector<double>> models;
      std::vector<std::vector<std::uint64_t>> counts;
      for (int threads : {1, 2}) {
        EngineConfig engine = engine_for(n, threads);
        engine.always_parallel = threads > 1;
        engine.compute.flops_per_second = 1e7;
        engine.compute.jitter_sigma = 0.5;
        auto behaviour = make(kind, config);
        AsynchronousFederated& server = server_of(behaviour);
        run_all(server, engine);
        models.push_back(server_model(server));
        counts.push_back(server.staleness_history());
        counts.back().insert(counts.back().end(), server.applied_clients().begin(), server.applied_clients().end());
        counts.back().push_back(server.dropped_unavailable());
        counts.back().push_back(server.rounds_completed(0));
        for (const AsynchronousStepRecord& record : server.records()) counts.back().push_back(record.bits_down);
      }
      CHECK(models[0] == models[1]);
      CHECK(counts[0] == counts[1]);
    }
}
