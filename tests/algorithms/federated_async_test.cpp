// The asynchronous federated server against hand-derived timelines and exact
// equivalences: FedBuff's buffers and staleness with known compute speeds;
// FedBuff with every client in the buffer is FedAvg for its first step and
// then FedAvg with all but one update one step stale; FedAsync's mixing with alpha = 1 returns
// the last client's model; synchronous parameter-server SGD is minibatch SGD
// on the union of the workers' batches; asynchronous parameter-server SGD
// with one worker is SGD; messages have their exact sizes; runs are
// bit-identical on one thread and on parallel windows.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "algorithms/federated/asynchronous_server.hpp"
#include "algorithms/federated/client_table.hpp"
#include "algorithms/federated/local_training.hpp"
#include "algorithms/federated/registry.hpp"
#include "algorithms/federated/synchronous_rounds.hpp"
#include "data/partition.hpp"
#include "data/synthetic.hpp"
#include "models/logistic.hpp"
#include "sim/engine.hpp"
#include "federated_async_fixture.hpp"

using namespace dlsim;
using namespace dlsim::federated_testing;

namespace {

// `steps` full-batch gradient steps of rate eta on the client's samples from x.
std::vector<double> client_descent(const FederatedConfig& config, NodeId client, std::vector<double> x,
                                   std::uint64_t steps, double eta) {
  std::vector<double> gradient(x.size());
  auto workspace = config.model->make_workspace();
  for (std::uint64_t step = 0; step < steps; ++step) {
    config.model->loss_and_gradient(x, *config.batches.data, config.batches.partition[client], gradient, *workspace);
    for (std::size_t k = 0; k < x.size(); ++k) x[k] -= eta * gradient[k];
  }
  return x;
}

}  // namespace

TEST_CASE("FedBuff with concurrency 2 and buffer 2 applies the buffers and staleness of its timeline", "[federated]") {
  // Client 0 trains for 10 ms, client 1 for 30 ms; every transfer takes 1 ms
  // and the server's steps about a microsecond. A client starts again from
  // the current model as soon as its update arrives, unless that update
  // completes the buffer: then from the model the step makes. So client 0's
  // updates arrive at 12, 24, 36, ... ms, client 1's at 32, 64, and
  //   step 0 at 24: client 0 (from x_0), client 0 (x_0)   staleness 0, 0
  //   step 1 at 36: client 0 (x_1, sent at 24), client 1 (x_0)   0, 1
  //   step 2 at 60: client 0 (x_2, sent at 36), client 0 (x_2, at 48)   0, 0
  //   step 3 at 72: client 0 (x_3, sent at 60), client 1 (x_1, at 32)   0, 2
  // and client 1's update in flight when x_4 is ready arrives late.
  constexpr std::uint32_t n = 2;
  FederatedConfig config = logistic_config(n, 200, partition_contiguous(200, n));
  config.rounds = 4;
  config.batch_size = 10;  // divides every client's 100 samples: every step costs the same
  config.asynchronous.concurrency = 2;
  config.asynchronous.buffer_size = 2;
  EngineConfig engine = engine_for(n);
  ClientTable table(config.batches.partition);
  LocalTrainer trainer(config, table);
  const ComputeCost cost = trainer.cost(0, MinibatchCursor{}, 1);
  engine.compute.flops_per_second = cost.flops / 0.010;  // 10 ms at speed 1
  engine.compute.bytes_per_second = 1e30;
  engine.compute.speed_factor = {1.0, 1.0 / 3.0, 1e4};  // the server's last
  auto behaviour = make("fedbuff", config);
  AsynchronousFederated& fedbuff = server_of(behaviour);
  run_all(fedbuff, engine);

  REQUIRE(fedbuff.rounds_completed(0) == 4);
  CHECK(fedbuff.applied_clients() == std::vector<NodeId>{0, 0, 0, 1, 0, 0, 0, 1});
  CHECK(fedbuff.staleness_history() == std::vector<std::uint64_t>{0, 0, 0, 1, 0, 0, 0, 2});
  const std::vector<SimTime> ended{24, 36, 60, 72};
  for (std::size_t step = 0; step < 4; ++step) {
    CAPTURE(step);
    const AsynchronousStepRecord& record = fedbuff.records().at(step);
    CHECK(record.updates == 2);
    CHECK(record.ended >= ended[step] * kLatency);
    CHECK(record.ended < ended[step] * kLatency + kLatency / 10);
  }
  CHECK(fedbuff.records().back().staleness_max == 2);
  CHECK(fedbuff.participations(0) == 6);
  CHECK(fedbuff.participations(1) == 2);
  CHECK(summary_figure(fedbuff, "staleness_mean") == 3.0 / 8.0);
  CHECK(summary_figure(fedbuff, "staleness_max") == 2);
  CHECK(summary_figure(fedbuff, "late_updates") == 1);
  // Up to x_4: 8 updates up; 9 models down (client 0 at 0, 12, ..., 60; client 1 at 0, 32, 64).
  const std::int64_t d = static_cast<std::int64_t>(config.model->dimension());
  CHECK(fedbuff.records().back().bits_up == static_cast<std::uint64_t>(8 * (64 + 64 * d + 64)));
  CHECK(fedbuff.records().back().bits_down == static_cast<std::uint64_t>(9 * (64 + 64 * d)));
}

TEST_CASE("FedBuff with every client in its buffer is FedAvg for one step, then partly one step stale", "[federated]") {
  // N = C = K, no stragglers: all N updates of x_0 arrive within
  // microseconds and make step 0, which is FedAvg's first round exactly.
  // Each client starts again when its update arrives, from x_0 still, except
  // the last to arrive (m, the one with the most samples: full-batch steps
  // take longest there), which completes the buffer and starts from x_1. So
  // from then on step t applies m's update of x_t and the others' of x_{t-1}:
  //   x_{t+1} = x_t + s(1) sum_{i != m} p_i Delta_i(x_{t-1}) + p_m Delta_m(x_t),
  // p_i = n_i / n, Delta_i(x) = y_i(x) - x, s(1) = 1 / sqrt(2), server lr 1.
  constexpr std::uint32_t n = 4;
  RandomStream split(7, 0, purpose_id("test.split"));
  FederatedConfig config = logistic_config(n, 400, partition_quantity_skew(400, n, 1.0, split));
  config.batch_size = 1000;  // full-batch local steps: y_i depends on the starting model only
  config.local_steps = 3;
  config.local.schedule.base = 0.3;
  config.asynchronous.concurrency = n;
  config.asynchronous.buffer_size = n;
  NodeId m = 0;
  for (NodeId client = 0; client < n; ++client)
    if (config.batches.partition[client].size() > config.batches.partition[m].size()) m = client;

  config.rounds = 1;
  auto one_step = make("fedbuff", config);
  run_all(*one_step, engine_for(n));
  SynchronousFederated fedavg(config, nullptr);
  run_all(fedavg, engine_for(n));
  CHECK(server_model(*one_step) == server_model(fedavg));

  config.rounds = 6;
  auto behaviour = make("fedbuff", config);
  run_all(*behaviour, engine_for(n));
  std::vector<std::uint64_t> staleness(n, 0);
  for (std::uint64_t step = 1; step < config.rounds; ++step)
    for (NodeId client = 0; client < n; ++client) staleness.push_back(client == m ? 0 : 1);
  CHECK(server_of(behaviour).staleness_history() == staleness);

  double samples = 0;
  for (const auto& part : config.batches.partition) samples += static_cast<double>(part.size());
  auto delta = [&](NodeId client, const std::vector<double>& from) {
    const std::vector<double> y = client_descent(config, client, from, config.local_steps, 0.3);
    const double weight = static_cast<double>(config.batches.partition[client].size()) / samples;
    std::vector<double> weighted(from.size());
    for (std::size_t k = 0; k < from.size(); ++k) weighted[k] = weight * (y[k] - from[k]);
    return weighted;
  };
  std::vector<double> previous(config.model->dimension(), 0.0), x = previous;
  for (NodeId client = 0; client < n; ++client) {
    const std::vector<double> step = delta(client, previous);
    for (std::size_t k = 0; k < x.size(); ++k) x[k] += step[k];
  }
  for (std::uint64_t version = 1; version < config.rounds; ++version) {
    std::vector<double> next = x;
    for (NodeId client = 0; client < n; ++client) {
      const std::vector<double> step = client == m ? delta(client, x) : delta(client, previous);
      const double factor = client == m ? 1.0 : 1.0 / std::sqrt(2.0);
      for (std::size_t k = 0; k < x.size(); ++k) next[k] += factor * step[k];
    }
    previous = x;
    x = next;
  }
  CHECK(max_abs_difference(server_model(*behaviour), x) <= 1e-12);
}

TEST_CASE("FedAsync mixes each client model in by alpha s(staleness), and alpha 1 keeps the last client's model", "[federated]") {
  // Full-batch local steps make a client's model y a function of the model
  // x_b it started from. The snapshots hold every x_t, so the last step can
  // be recomputed: x_R = (1 - a) x_{R-1} + a y(x_b), b = R - 1 - staleness.
  constexpr std::uint32_t n = 6;
  FederatedConfig config = logistic_config(n, 600, partition_contiguous(600, n));
  config.batches.partition = partition_sorted_by_label(*config.batches.data, n).indices;
  config.batch_size = 1000;
  config.local_steps = 4;
  config.local.schedule.base = 0.2;
  config.rounds = 20;
  config.asynchronous.concurrency = 3;
  EngineConfig engine = engine_for(n);
  engine.compute.flops_per_second = 1e7;
  engine.compute.speed_factor = {1.0, 0.5, 0.3, 2.0, 0.25, 0.8, 1.0};

  struct Case {
    double alpha;
    StalenessFunction function;
  };
  for (const Case& mix : {Case{1.0, StalenessFunction::constant}, Case{0.5, StalenessFunction::polynomial}}) {
    CAPTURE(mix.alpha);
    config.asynchronous.mixing_alpha = mix.alpha;
    config.asynchronous.function = mix.function;
    config.asynchronous.exponent = 0.5;
    RoundSnapshots snapshots(1, 1, config.rounds);
    auto behaviour = make("fedasync", config, &snapshots);
    AsynchronousFederated& fedasync = server_of(behaviour);
    run_all(fedasync, engine);
    std::map<std::uint64_t, std::vector<double>> models;
    while (auto snapshot = snapshots.take_ready()) models[snapshot->round] = snapshot->models.at(0);
    REQUIRE(models.size() == config.rounds + 1);
    REQUIRE(fedasync.staleness_history().size() == config.rounds);
    const std::uint64_t staleness = fedasync.staleness_history().back();
    // Three clients at once: some updates are stale.
    CHECK(*std::max_element(fedasync.staleness_history().begin(), fedasync.staleness_history().end()) > 0);
    const NodeId client = fedasync.applied_clients().back();
    const std::vector<double> y =
        client_descent(config, client, models.at(config.rounds - 1 - staleness), config.local_steps, 0.2);
    const double a = mix.alpha * (mix.function == StalenessFunction::constant
                                      ? 1.0
                                      : 1.0 / std::sqrt(1.0 + static_cast<double>(staleness)));
    std::vector<double> expected(y.size());
    for (std::size_t k = 0; k < y.size(); ++k) expected[k] = (1 - a) * models.at(config.rounds - 1)[k] + a * y[k];
    CHECK(max_abs_difference(server_model(fedasync), expected) <= 1e-12);
    CHECK(server_model(fedasync) == models.at(config.rounds));
    // Each step applies one update; every client slot was refilled.
    CHECK(fedasync.records().back().updates_so_far == config.rounds);
  }
}

TEST_CASE("synchronous parameter-server SGD is minibatch SGD on the union of the workers' batches", "[federated]") {
  // Each step every worker sends its next minibatch gradient at x_t; weighted
  // by batch samples the average is the gradient over the union of the
  // batches (16 does not divide 100: every epoch ends with a batch of 4). The
  // server steps with the step-decay schedule by server step.
  constexpr std::uint32_t n = 5;
  FederatedConfig config = logistic_config(n, 500, partition_contiguous(500, n));
  config.batches.partition = partition_sorted_by_label(*config.batches.data, n).indices;
  config.batch_size = 16;
  config.rounds = 25;
  config.local.schedule.kind = LearningRateSchedule::Kind::step;
  config.local.schedule.decay_every = 10;
  config.local.schedule.decay_factor = 0.5;
  auto behaviour = make("ps-sgd", config);
  run_all(*behaviour, engine_for(n));
  REQUIRE(behaviour->rounds_completed(0) == config.rounds);
  CHECK(summary_figure(*behaviour, "staleness_max") == 0);
  CHECK(summary_figure(*behaviour, "updates_aggregated") == n * config.rounds);

  std::vector<MinibatchCursor> cursors(n);
  std::vector<double> x(config.model->dimension(), 0.0), gradient(x.size());
  auto workspace = config.model->make_workspace();
  for (std::uint64_t step = 0; step < config.rounds; ++step) {
    std::vector<std::uint32_t> batch;
    for (NodeId worker = 0; worker < n; ++worker) {
      MinibatchWalk walk(config.seed, worker, config.batches.partition[worker], config.batch_size, cursors[worker]);
      const auto next = walk.next();
      batch.insert(batch.end(), next.begin(), next.end());
      cursors[worker] = walk.cursor();
    }
    config.model->loss_and_gradient(x, *config.batches.data, batch, gradient, *workspace);
    for (std::size_t k = 0; k < x.size(); ++k) x[k] -= config.local.schedule.at(step) * gradient[k];
  }
  CHECK(max_abs_difference(server_model(*behaviour), x) <= 1e-12);
}

TEST_CASE("asynchronous parameter-server SGD with one worker is SGD, with staleness 0", "[federated]") {
  FederatedConfig config = logistic_config(1, 300, partition_contiguous(300, 1));
  config.batch_size = 32;
  config.rounds = 40;
  config.local.momentum = 0.5;  // the server's optimiser keeps the momentum
  auto behaviour = make("ps-async-sgd", config);
  run_all(*behaviour, engine_for(1));
  REQUIRE(behaviour->rounds_completed(0) == config.rounds);

  LocalOptimizer optimizer(&config.local);
  MinibatchWalk walk(config.seed, 0, config.batches.partition[0], config.batch_size, MinibatchCursor{});
  std::vector<double> x(config.model->dimension(), 0.0), gradient(x.size());
  auto workspace = config.model->make_workspace();
  for (std::uint64_t step = 0; step < config.rounds; ++step) {
    config.model->loss_and_gradient(x, *config.batches.data, walk.next(), gradient, *workspace);
    optimizer.apply(step, x, gradient, x);
  }
  CHECK(max_abs_difference(server_model(*behaviour), x) <= 1e-12);
  CHECK(summary_figure(*behaviour, "staleness_max") == 0);
  CHECK(summary_figure(*behaviour, "staleness_mean") == 0);
  // One gradient up and one model down per step (and the first model).
  const std::int64_t d = static_cast<std::int64_t>(config.model->dimension());
  CHECK(server_of(behaviour).records().back().bits_up == static_cast<std::uint64_t>(40 * (64 + 64 * d + 64)));
  CHECK(server_of(behaviour).records().back().bits_down == static_cast<std::uint64_t>(40 * (64 + 64 * d)));
}

TEST_CASE("asynchronous parameter-server SGD with many workers applies stale gradients", "[federated]") {
  // Eight workers at different speeds: every gradient but the first ones is
  // applied after others, and staleness never exceeds the steps taken.
  constexpr std::uint32_t n = 8;
  FederatedConfig config = logistic_config(n, 800, partition_contiguous(800, n));
  config.rounds = 60;
  config.local.schedule.base = 0.1;
  EngineConfig engine = engine_for(n);
  engine.compute.flops_per_second = 1e7;
  engine.compute.speed_factor = {1.0, 0.5, 0.3, 2.0, 0.25, 0.8, 1.2, 0.7, 1.0};
  auto behaviour = make("ps-async-sgd", config);
  run_all(*behaviour, engine);
  const auto& history = server_of(behaviour).staleness_history();
  REQUIRE(history.size() == config.rounds);
  for (std::size_t step = 0; step < history.size(); ++step) CHECK(history[step] <= step);
  const double mean = summary_figure(*behaviour, "staleness_mean");
  CHECK(summary_figure(*behaviour, "staleness_max") >= mean);
  CHECK(mean >= 5);  // about n - 1: the other workers' gradients land between two of one worker
}

TEST_CASE("asynchronous federated runs are bit-identical on one thread and on parallel windows", "[federated]") {
  constexpr std::uint32_t n = 12;
  for (const std::string_view kind : {"fedbuff", "fedasync", "ps-sgd", "ps-async-sgd"}) {
    FederatedConfig config = logistic_config(n, 1200, partition_contiguous(1200, n));
    config.rounds = 20;
    config.batch_size = 16;
    config.local.schedule.base = 0.1;
    config.asynchronous.concurrency = 5;
    config.asynchronous.buffer_size = 3;
    std::vector<std::vector<double>> models;
    std::vector<std::vector<std::uint64_t>> staleness;
    for (int threads : {1, 2}) {
      EngineConfig engine = engine_for(n, threads);
      engine.always_parallel = threads > 1;
      engine.compute.flops_per_second = 1e7;
      engine.compute.jitter_sigma = 0.5;
      auto behaviour = make(kind, config);
      run_all(*behaviour, engine);
      models.push_back(server_model(*behaviour));
      staleness.push_back(server_of(behaviour).staleness_history());
    }
    CAPTURE(kind);
    CHECK(models[0] == models[1]);
    CHECK(staleness[0] == staleness[1]);
  }
}
