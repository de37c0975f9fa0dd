// FedNova, time-budgeted local work, error feedback and downlink compression
// against closed forms and invariants: FedNova with equal steps is FedAvg and
// its one round is x + tau_eff sum_i p_i (y_i - x) / tau_i; a budget gives
// floor(budget / step time) steps; FedNova removes the bias that
// heterogeneous steps give FedAvg on heterogeneous quadratics; the EF step
// keeps decode + e_new = e_old + v; EF on a compressor that is exact on the
// values sent changes nothing; the downlink's messages have their exact
// sizes and a client rebuilds the server's model bit for bit; all of it is
// bit-identical on one thread and on parallel windows.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "algorithms/federated/client_table.hpp"
#include "algorithms/federated/error_feedback.hpp"
#include "algorithms/federated/local_training.hpp"
#include "algorithms/federated/registry.hpp"
#include "algorithms/federated/synchronous_rounds.hpp"
#include "compress/identity.hpp"
#include "compress/sign.hpp"
#include "compress/top_k.hpp"
#include "data/partition.hpp"
#include "data/synthetic.hpp"
#include "federated_fixture.hpp"
#include "metrics/optimum.hpp"
#include "models/least_squares.hpp"
#include "models/logistic.hpp"
#include "models/nonsmooth.hpp"
#include "sim/engine.hpp"
#include "sim/random.hpp"

using namespace dlsim;
using namespace dlsim::federated_testing;

namespace {

EngineConfig engine_with(std::uint32_t clients, int threads = 1) {
  EngineConfig engine = engine_for(clients, threads);
  engine.always_parallel = threads > 1;
  return engine;
}

std::unique_ptr<LearningBehaviour> make(std::string_view kind, const FederatedConfig& config) {
  return find_federated_algorithm(kind).make(config, nullptr);
}

SynchronousFederated& rounds_of(std::unique_ptr<LearningBehaviour>& behaviour) {
  return dynamic_cast<SynchronousFederated&>(*behaviour);
}

// Round-robin, one client a round, the server's steps through the scaled sign.
FederatedConfig downlink_config(std::uint32_t clients, std::uint64_t rounds) {
  FederatedConfig config = logistic_config(clients, 100 * clients, partition_contiguous(100 * clients, clients));
  config.cohort.clients_per_round = 1;
  config.cohort.sampling = ClientSampling::round_robin;
  config.downlink_compressor = std::make_shared<ScaledSign>();
  config.rounds = rounds;
  return config;
}

// Four clients of 100 samples; with a batch larger than that every step is a
// full-batch step of the same cost, and the flop rate makes one step at speed
// 1 last 1 ms (the memory rate never binds).
struct Budgeted {
  FederatedConfig config;
  EngineConfig engine;
};

Budgeted budgeted(std::vector<double> speeds, SimTime budget) {
  const auto n = static_cast<std::uint32_t>(speeds.size());
  Budgeted setup{logistic_config(n, 100 * n, partition_contiguous(100 * n, n)), engine_with(n)};
  setup.config.batch_size = 1000;
  setup.config.local.schedule.base = 0.2;
  ClientTable table(setup.config.batches.partition);
  LocalTrainer trainer(setup.config, table);
  const double step_flops = trainer.cost(0, MinibatchCursor{}, 1).flops;
  setup.engine.compute.flops_per_second = 1000 * step_flops;
  setup.engine.compute.bytes_per_second = 1e300;
  setup.engine.compute.speed_factor = std::move(speeds);
  setup.engine.compute.speed_factor.push_back(1.0);  // the server
  setup.config.compute = setup.engine.compute;
  setup.config.local_time_budget = budget;
  return setup;
}

// The nonsmooth example from (1, 0.25) with eta = 1/64 over `clients`
// clients, `per_round` a round, 30 rounds, through the identity compressor:
// every update is -g / 64 with g in {+-1, +-3}^2, exact in fp32.
FederatedConfig exact_nonsmooth_config(std::uint32_t clients, std::uint32_t per_round) {
  RandomStream rng(1, 0, purpose_id("test.data"));
  FederatedConfig config;
  config.clients = clients;
  config.model = std::make_shared<NonsmoothExample>();
  config.batches.data = std::make_shared<const Dataset>(make_linear_regression(LinearRegressionSpec{8, 2}, rng));
  config.batches.partition = partition_contiguous(8, clients).indices;
  config.batch_size = 2;
  config.local.schedule.base = 1.0 / 64;
  config.cohort.clients_per_round = per_round;
  config.rounds = 30;
  config.initial_model = {1.0, 0.25};
  config.uplink_compressor = std::make_shared<Identity>();
  return config;
}

}  // namespace

TEST_CASE("FedNova with the same local steps at every client is FedAvg") {
  // a_i = tau for every client: tau_eff sum_i p_i (y_i - x) / tau = sum_i p_i (y_i - x).
  constexpr std::uint32_t n = 6;
  RandomStream split(7, 0, purpose_id("test.split"));
  FederatedConfig config = logistic_config(n, 600, partition_quantity_skew(600, n, 1.0, split));
  config.rounds = 20;
  config.local_steps = 5;
  config.batch_size = 16;
  config.cohort.clients_per_round = 4;
  auto fedavg = make("fedavg", config);
  auto fednova = make("fednova", config);
  run_all(*fedavg, engine_with(n));
  run_all(*fednova, engine_with(n));
  REQUIRE(fednova->rounds_completed(0) == 20);
  CHECK(max_abs_difference(server_model(*fedavg), server_model(*fednova)) <= 1e-12);
  CHECK(server_model(*fedavg) != std::vector<double>(10, 0.0));
}

TEST_CASE("FedNova's a_i is tau_i for SGD and sum_k (1 - rho^(k+1)) / (1 - rho) with momentum") {
  // Wang et al., NeurIPS 2020, section 4: the weight of the local gradients in
  // y - x_t; Nesterov adds rho times the heavy-ball weight to each step's 1.
  FederatedConfig config = logistic_config(2, 200, partition_contiguous(200, 2));
  ClientTable table(config.batches.partition);
  auto coefficients = [&](double momentum, bool nesterov) {
    config.local.momentum = momentum;
    config.local.nesterov = nesterov;
    LocalTrainer trainer(config, table);
    LocalJob job;
    job.model = std::make_shared<const std::vector<double>>(10, 0.0);
    job.steps = 7;
    trainer.run(1, job);
    return job.coefficients;
  };
  CHECK(coefficients(0.0, false) == 7.0);
  double heavy_ball = 0, nesterov = 0;
  for (int k = 0; k < 7; ++k) {
    const double weight = (1 - std::pow(0.9, k + 1)) / (1 - 0.9);
    heavy_ball += weight;
    nesterov += 1 + 0.9 * weight;
  }
  CHECK(std::abs(coefficients(0.9, false) - heavy_ball) <= 1e-12);
  CHECK(std::abs(coefficients(0.9, true) - nesterov) <= 1e-12);
}

TEST_CASE("a time budget gives each client floor(budget / its step time) local steps") {
  // Step times 1, 2, 4 and 5 ms; budget 10.5 ms: 10, 5, 2 and 2 steps.
  Budgeted setup = budgeted({1.0, 0.5, 0.25, 0.2}, 10'500'000);
  ClientTable table(setup.config.batches.partition);
  LocalTrainer trainer(setup.config, table);
  const std::vector<std::uint64_t> expected{10, 5, 2, 2};
  for (NodeId client = 0; client < 4; ++client) CHECK(trainer.steps(client, MinibatchCursor{}) == expected[client]);
  // Less than one step's time still buys one step.
  setup.config.local_time_budget = 100'000;
  for (NodeId client = 0; client < 4; ++client) CHECK(trainer.steps(client, MinibatchCursor{}) == 1);

  setup.config.local_time_budget = 10'500'000;
  setup.config.rounds = 3;
  SynchronousFederated fedavg(setup.config, nullptr);
  run_all(fedavg, setup.engine);
  for (const FederatedRoundRecord& record : fedavg.records()) {
    CHECK(record.local_steps_min == 2);
    CHECK(record.local_steps_max == 10);
    CHECK(record.local_steps_mean == 4.75);
    // The two latencies, the slowest client's 2 steps of 5 ms (rounded up to
    // a nanosecond) and the server's aggregation, well under the budget's slack.
    CHECK(record.ended - record.began > 2 * kLatency + 10'000'000);
    CHECK(record.ended - record.began < 2 * kLatency + 10'100'000);
  }
}

TEST_CASE("budgeted steps are the most whose task fits, across epoch ends") {
  // Batches of 7 over 100 samples (the 15th batch of an epoch has 2), from
  // the middle of an epoch: the planned duration of S steps is checked
  // against every S, and the samples against a minibatch walk.
  Budgeted setup = budgeted({1.0, 0.3}, 4'000'000);
  setup.config.batch_size = 7;
  ClientTable table(setup.config.batches.partition);
  LocalTrainer trainer(setup.config, table);
  const MinibatchCursor start{2, 51};
  for (NodeId client = 0; client < 2; ++client) {
    std::uint64_t most = 0;
    for (std::uint64_t steps = 1; steps < 2000; ++steps)
      if (trainer.planned_duration(client, start, steps) <= setup.config.local_time_budget) most = steps;
    CHECK(trainer.steps(client, start) == std::max<std::uint64_t>(most, 1));
    CHECK(most > 7);  // 49 samples are left of the epoch: the steps run past its end
  }
  MinibatchWalk walk(1, 0, table.indices(0), 7, start);
  std::uint64_t visited = 0;
  for (std::uint64_t steps = 1; steps <= 60; ++steps) {
    visited += walk.next().size();
    CHECK(samples_visited(100, 7, start, steps) == visited);
  }
  CHECK(samples_visited(100, 7, MinibatchCursor{0, 100}, 1) == 7);  // a used-up epoch: the next begins
}

TEST_CASE("FedNova's round is x + tau_eff sum_i p_i (y_i - x) / tau_i and removes FedAvg's bias") {
  // Least squares whose clients have different optima; speeds 1, 0.1, 1, 0.1
  // under a 10.5 ms budget give 10, 1, 10 and 1 full-batch steps. FedAvg's
  // fixed point leans towards the clients that take more steps; FedNova's
  // normalised updates weigh each client by p_i again.
  Budgeted setup = budgeted({1.0, 0.1, 1.0, 0.1}, 10'500'000);
  RandomStream rng(11, 0, purpose_id("test.data"));
  auto data = std::make_shared<const Dataset>(make_linear_regression(LinearRegressionSpec{400, 10, 0.1, 4, 2.0}, rng));
  FederatedConfig& config = setup.config;
  config.model = std::make_shared<LeastSquares>(10, 1e-3);
  config.batches.data = data;
  // A small step: FedNova's fixed point is the true optimum up to O(eta)
  // (a client's tau_i steps weigh (1 - (1 - eta h)^tau_i) / tau_i, not eta h).
  const double eta = 0.01;
  config.local.schedule.base = eta;
  config.rounds = 1;
  // Steps: the flop rate was set for the logistic model; set it again.
  {
    ClientTable table(config.batches.partition);
    LocalTrainer trainer(config, table);
    setup.engine.compute.flops_per_second = 1000 * trainer.cost(0, MinibatchCursor{}, 1).flops;
    config.compute = setup.engine.compute;
  }
  const std::vector<std::uint64_t> steps{10, 1, 10, 1};

  // One round by hand: y_i after tau_i gradient steps from x = 0, p_i = 1/4.
  const std::size_t d = 10;
  std::vector<double> x(d, 0.0), expected(d, 0.0), gradient(d);
  auto workspace = config.model->make_workspace();
  for (NodeId client = 0; client < 4; ++client) {
    std::vector<double> y = x;
    for (std::uint64_t step = 0; step < steps[client]; ++step) {
      config.model->loss_and_gradient(y, *data, config.batches.partition[client], gradient, *workspace);
      for (std::size_t k = 0; k < d; ++k) y[k] -= eta * gradient[k];
    }
    const double tau_eff = (10 + 1 + 10 + 1) / 4.0;
    for (std::size_t k = 0; k < d; ++k) expected[k] += tau_eff * 0.25 * (y[k] - x[k]) / static_cast<double>(steps[client]);
  }
  auto one_round = make("fednova", config);
  run_all(*one_round, setup.engine);
  CHECK(rounds_of(one_round).records().at(0).local_steps_max == 10);
  CHECK(max_abs_difference(server_model(*one_round), expected) <= 1e-12);

  config.rounds = 1000;
  const OptimumResult optimum = minimize_full_loss(*config.model, *data, 1e-13);
  REQUIRE(optimum.converged);
  auto fedavg = make("fedavg", config);
  auto fednova = make("fednova", config);
  run_all(*fedavg, setup.engine);
  run_all(*fednova, setup.engine);
  const double fedavg_error = distance(server_model(*fedavg), optimum.x);
  const double fednova_error = distance(server_model(*fednova), optimum.x);
  INFO("FedAvg " << fedavg_error << ", FedNova " << fednova_error);
  CHECK(fedavg_error > 0.05);
  CHECK(fednova_error < fedavg_error / 5);
}

TEST_CASE("the error-feedback step keeps decode(message) + new residual = old residual + update") {
  // EF-SGD (Karimireddy et al. 2019): e <- e + v - C(e + v); nothing is lost, only delayed.
  const std::size_t d = 8;
  for (const std::shared_ptr<const Compressor>& compressor :
       {std::shared_ptr<const Compressor>(std::make_shared<TopK>(2, 0.0)),
        std::shared_ptr<const Compressor>(std::make_shared<ScaledSign>())}) {
    const VectorCodec codec(compressor);
    RandomStream values(4, 0, purpose_id("test.values"));
    RandomStream rng(4, 0, purpose_id("test.compress"));
    std::vector<double> residual, decoded(d);
    for (int call = 0; call < 20; ++call) {
      std::vector<double> v(d);
      for (double& value : v) value = values.normal();
      const std::vector<double> old = residual.empty() ? std::vector<double>(d, 0.0) : residual;
      const auto message = encode_with_error_feedback(codec, 0, v, residual, rng);
      codec.decode(*message, decoded);
      REQUIRE(residual.size() == d);
      for (std::size_t k = 0; k < d; ++k) {
        const double before = old[k] + v[k];
        CHECK(std::abs(decoded[k] + residual[k] - before) <= 1e-15 * std::max(1.0, std::abs(before)));
      }
    }
  }
}

TEST_CASE("error feedback on a compressor exact on the values sent changes nothing") {
  // The nonsmooth example from (1, 0.25) with eta = 1/64: every update is
  // -g / 64 with g in {+-1, +-3}^2, exact in fp32, so the identity
  // compressor loses nothing, the residuals stay 0 and the runs agree bit for
  // bit. Residuals exist for the clients that sent an update, only for them.
  constexpr std::uint32_t n = 4;
  FederatedConfig config = exact_nonsmooth_config(n, 2);
  SynchronousFederated plain(config, nullptr);
  run_all(plain, engine_with(n));
  config.error_feedback = true;
  SynchronousFederated with_feedback(config, nullptr);
  run_all(with_feedback, engine_with(n));
  CHECK(server_model(plain) == server_model(with_feedback));
  CHECK(server_model(plain) != config.initial_model);
  for (NodeId client = 0; client < n; ++client) {
    const auto residual = with_feedback.clients().residual(client);
    CHECK(residual.size() == (with_feedback.participations(client) > 0 ? 2u : 0u));
    for (double value : residual) CHECK(value == 0.0);
    CHECK(plain.clients().residual(client).empty());
  }

  config.rounds = 1;
  config.cohort.sampling = ClientSampling::round_robin;
  config.cohort.clients_per_round = 1;
  SynchronousFederated first(config, nullptr);
  run_all(first, engine_with(n));
  CHECK(first.clients().residual(0).size() == 2);
  for (NodeId client = 1; client < n; ++client) CHECK(first.clients().residual(client).empty());
  CHECK(first.clients().remembered_clients() == 1);
}

TEST_CASE("the EF21 step sends C(v - g) and moves g by what it sent") {
  // EF21 (Richtarik et al. 2021): g <- g + C(v - g). With top-k the k
  // coordinates sent become v (up to fp32) and the others keep g; the first call
  // starts from g = 0.
  const std::size_t d = 6;
  const VectorCodec codec(std::make_shared<TopK>(2, 0.0));
  RandomStream values(4, 0, purpose_id("test.values"));
  RandomStream rng(4, 0, purpose_id("test.compress"));
  std::vector<double> estimate, decoded(d);
  for (int call = 0; call < 10; ++call) {
    std::vector<double> v(d);
    for (double& value : v) value = values.normal();
    const std::vector<double> old = estimate.empty() ? std::vector<double>(d, 0.0) : estimate;
    const auto message = encode_ef21(codec, 0, v, estimate, rng);
    codec.decode(*message, decoded);
    REQUIRE(estimate.size() == d);
    int sent = 0;
    for (std::size_t k = 0; k < d; ++k) {
      CHECK(estimate[k] == old[k] + decoded[k]);
      if (decoded[k] != 0.0) {
        ++sent;
        // Up to the fp32 rounding of the value top-k sends.
        CHECK(std::abs(estimate[k] - v[k]) <= 1e-7 * std::max(1.0, std::abs(v[k] - old[k])));
      }
    }
    CHECK(sent <= 2);
  }
}

TEST_CASE("EF21 with a compressor exact on the values sent and every client is FedAvg, bit for bit") {
  // The nonsmooth example from (1, 0.25) with eta = 1/64 (updates exact in
  // fp32, see above), all 4 clients every round: the server's g =
  // sum_i (1/4) g_i with g_i = the client's last update is the mean of the
  // round's updates, so EF21 through the identity compressor is plain FedAvg.
  constexpr std::uint32_t n = 4;
  FederatedConfig config = exact_nonsmooth_config(n, n);
  SynchronousFederated plain(config, nullptr);
  run_all(plain, engine_with(n));
  config.error_feedback = true;
  config.ef21 = true;
  SynchronousFederated ef21(config, nullptr);
  run_all(ef21, engine_with(n));
  CHECK(server_model(plain) == server_model(ef21));
  CHECK(server_model(plain) != config.initial_model);
  const auto estimate = ef21.ef21_estimate();
  REQUIRE(estimate.size() == 2);
  for (std::size_t k = 0; k < 2; ++k) {
    double mean = 0;
    for (NodeId client = 0; client < n; ++client) mean += 0.25 * ef21.clients().residual(client)[k];
    CHECK(estimate[k] == mean);
  }
}

TEST_CASE("EF21's server estimate is the weighted mean of the clients' estimates, g = sum_i (w_i / W) g_i") {
  // Logistic regression, 6 clients of unequal sizes, 2 a round, top-3 of
  // d = 10: partial participation (EF21-PP), so g moves by (w_i / W) C(v_i -
  // g_i) for the two senders only and still equals the weighted mean over
  // all six, clients never selected counting with g_i = 0.
  constexpr std::uint32_t n = 6;
  FederatedConfig config = logistic_config(n, 900, partition_contiguous(900, n));
  config.batches.partition[0].resize(50);  // weights 50, 150, ..., 150: W = 800
  config.cohort.clients_per_round = 2;
  config.local_steps = 3;
  config.rounds = 25;
  config.uplink_compressor = std::make_shared<TopK>(3, 0.0);
  config.error_feedback = true;
  SynchronousFederated feedback(config, nullptr);
  run_all(feedback, engine_with(n));
  config.ef21 = true;
  SynchronousFederated ef21(config, nullptr);
  run_all(ef21, engine_with(n));
  CHECK(server_model(ef21) != server_model(feedback));
  const auto estimate = ef21.ef21_estimate();
  REQUIRE(estimate.size() == 10);
  double total = 0;
  for (NodeId client = 0; client < n; ++client) total += static_cast<double>(config.batches.partition[client].size());
  REQUIRE(total == 800);
  for (std::size_t k = 0; k < estimate.size(); ++k) {
    double mean = 0;
    for (NodeId client = 0; client < n; ++client) {
      const auto own = ef21.clients().residual(client);
      if (!own.empty()) mean += static_cast<double>(config.batches.partition[client].size()) / total * own[k];
    }
    CHECK(std::abs(estimate[k] - mean) <= 1e-12 * std::max(1.0, std::abs(mean)));
  }
  std::uint32_t participated = 0;
  for (NodeId client = 0; client < n; ++client) participated += ef21.participations(client) > 0;
  CHECK(participated == n);
}

TEST_CASE("downlink compression sends the missed server steps, or the model when they cost more") {
  // d = 10, scaled sign: each step's message is 64 + 10 + 32 = 106 bits; the
  // model is 64 d = 640 bits, so the server keeps 6 messages. A broadcast is
  // 64 (round) + 32 (count) + the model or the messages.
  // Round-robin, one client a round, 3 clients: rounds 0-2 send the model,
  // every later round the 3 steps since that client's last round.
  FederatedConfig config = downlink_config(3, 7);
  SynchronousFederated three(config, nullptr);
  run_all(three, engine_with(3));
  const std::vector<std::uint64_t> per_round{736, 736, 736, 414, 414, 414, 414};
  std::uint64_t total = 0;
  for (std::size_t round = 0; round < 7; ++round) {
    total += per_round[round];
    CHECK(three.records().at(round).bits_down == total);
  }
  // Client 0 rebuilt x_6 (its round 6) from x_3 and the steps of rounds 3-5:
  // the server's x_6 bit for bit.
  config.rounds = 6;
  SynchronousFederated six(config, nullptr);
  run_all(six, engine_with(3));
  const auto rebuilt = three.clients().last_model(0);
  CHECK(std::vector<double>(rebuilt.begin(), rebuilt.end()) == server_model(six));
  CHECK(server_model(six) != std::vector<double>(10, 0.0));

  // 8 clients: client 0 is back at round 8 after 8 steps (848 bits > 640):
  // it gets the model again.
  SynchronousFederated eight(downlink_config(8, 9), nullptr);
  run_all(eight, engine_with(8));
  CHECK(eight.records().at(8).bits_down - eight.records().at(7).bits_down == 736);
  CHECK(eight.records().at(8).bits_down == 9 * 736);
}

TEST_CASE("FedNova, budgets, error feedback and downlink compression are bit-identical on 1 and 2 threads") {
  constexpr std::uint32_t n = 12;
  Budgeted setup = budgeted({1.0, 0.5, 0.3, 2.0, 0.25, 0.8, 1.0, 0.7, 0.4, 1.5, 0.9, 0.6}, 6'000'000);
  setup.config.batch_size = 16;
  setup.config.rounds = 15;
  setup.config.cohort.clients_per_round = 4;
  setup.config.cohort.over_commit = 0.5;
  setup.config.uplink_compressor = std::make_shared<TopK>(3, 0.0);
  setup.config.downlink_compressor = std::make_shared<ScaledSign>();
  setup.config.error_feedback = true;
  setup.engine.compute.jitter_sigma = 0.5;
  std::vector<std::vector<double>> models;
  std::vector<std::vector<std::uint64_t>> bits;
  for (int threads : {1, 2}) {
    EngineConfig engine = setup.engine;
    engine.threads = threads;
    engine.always_parallel = threads > 1;
    auto behaviour = make("fednova", setup.config);
    run_all(*behaviour, engine);
    models.push_back(server_model(*behaviour));
    bits.emplace_back();
    for (const FederatedRoundRecord& record : rounds_of(behaviour).records()) {
      bits.back().push_back(record.bits_down);
      bits.back().push_back(record.bits_up);
      bits.back().push_back(record.local_steps_max);
    }
  }
  CHECK(models[0] == models[1]);
  CHECK(bits[0] == bits[1]);
}
