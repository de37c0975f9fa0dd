// Federated algorithms against exact equivalences and known behaviour:
// FedAvg with every client, one full-batch step and server lr 1 is gradient
// descent; with one minibatch step it is minibatch SGD on the cohort's
// batches; on identical client objectives it is local SGD on one node;
// SCAFFOLD removes the client-drift bias that FedAvg keeps on heterogeneous
// quadratics; FedProx with a large mu barely moves; the deadline drops
// exactly the clients whose update arrives after it; over-commitment keeps
// the first K arrivals; messages have their exact wire sizes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "algorithms/federated/client_table.hpp"
#include "algorithms/federated/local_training.hpp"
#include "algorithms/federated/registry.hpp"
#include "algorithms/federated/selection.hpp"
#include "algorithms/federated/synchronous_rounds.hpp"
#include "data/partition.hpp"
#include "federated_fixture.hpp"
#include "data/synthetic.hpp"
#include "metrics/evaluation.hpp"
#include "metrics/optimum.hpp"
#include "models/least_squares.hpp"
#include "models/logistic.hpp"
#include "sim/engine.hpp"

using namespace dlsim;
using namespace dlsim::federated_testing;

TEST_CASE("FedAvg with every client, one full-batch step and server lr 1 is gradient descent") {
  // x_{t+1} = x_t + sum_i (n_i / n) (-eta grad f_i(x_t)) = x_t - eta grad f(x_t),
  // f the mean loss over all samples: unequal client sizes, weights by sample count.
  constexpr std::uint32_t n = 6;
  RandomStream split(7, 0, purpose_id("test.split"));
  FederatedConfig config = logistic_config(n, 600, partition_quantity_skew(600, n, 1.0, split));
  config.rounds = 30;
  config.batch_size = 1000;  // more than any client holds: one step is a full-batch step
  SynchronousFederated fedavg(config, nullptr);
  run_all(fedavg, engine_for(n));
  REQUIRE(fedavg.rounds_completed(0) == 30);

  std::vector<double> x(config.model->dimension(), 0.0), gradient(x.size());
  for (std::uint64_t round = 0; round < config.rounds; ++round) {
    full_loss_and_gradient(*config.model, x, *config.batches.data, gradient);
    for (std::size_t k = 0; k < x.size(); ++k) x[k] -= 0.5 * gradient[k];
  }
  CHECK(max_abs_difference(server_model(fedavg), x) <= 1e-12);
}

TEST_CASE("FedAvg with one local step is minibatch SGD on the cohort's batches") {
  // Equal client sizes and K = 3 of 6 clients drawn uniformly: the step is
  // -eta times the mean gradient over the union of the cohort's batches.
  constexpr std::uint32_t n = 6;
  FederatedConfig config = logistic_config(n, 600, partition_contiguous(600, n));
  config.rounds = 25;
  config.batch_size = 8;
  config.cohort.clients_per_round = 3;
  SynchronousFederated fedavg(config, nullptr);
  run_all(fedavg, engine_for(n));

  CohortSelector selector(ClientSampling::uniform, config.seed, {});
  std::vector<std::uint8_t> busy(n, 0);
  std::vector<MinibatchCursor> cursors(n);
  std::vector<double> x(config.model->dimension(), 0.0), gradient(x.size()), step(x.size());
  auto workspace = config.model->make_workspace();
  for (std::uint64_t round = 0; round < config.rounds; ++round) {
    std::vector<NodeId> cohort;
    selector.select(round, 3, busy, n, cohort);
    std::fill(busy.begin(), busy.end(), 0);
    std::fill(step.begin(), step.end(), 0.0);
    for (NodeId client : cohort) {
      MinibatchWalk walk(config.seed, client, config.batches.partition[client], config.batch_size, cursors[client]);
      config.model->loss_and_gradient(x, *config.batches.data, walk.next(), gradient, *workspace);
      cursors[client] = walk.cursor();
      for (std::size_t k = 0; k < x.size(); ++k) step[k] += gradient[k] / 3.0;
    }
    for (std::size_t k = 0; k < x.size(); ++k) x[k] -= 0.5 * step[k];
  }
  CHECK(max_abs_difference(server_model(fedavg), x) <= 1e-12);
}

TEST_CASE("FedAvg on identical client objectives is SGD on one node, whatever the local steps") {
  // Every client holds the same samples and takes full-batch steps, so every
  // client ends at the same y, and the average is y: tau * rounds steps of GD.
  constexpr std::uint32_t n = 4;
  FederatedConfig config = identical_clients_config(n, 120);
  config.rounds = 8;
  config.local_steps = 5;
  config.batch_size = 1000;
  config.cohort.clients_per_round = 2;
  config.local.schedule.base = 0.3;
  SynchronousFederated fedavg(config, nullptr);
  run_all(fedavg, engine_for(n));

  std::vector<double> x(config.model->dimension(), 0.0), gradient(x.size());
  for (std::uint64_t step = 0; step < 8 * 5; ++step) {
    full_loss_and_gradient(*config.model, x, *config.batches.data, gradient);
    for (std::size_t k = 0; k < x.size(); ++k) x[k] -= 0.3 * gradient[k];
  }
  CHECK(max_abs_difference(server_model(fedavg), x) <= 1e-12);
}

TEST_CASE("worker momentum with every client and one full-batch step is damped heavy-ball gradient descent") {
  // Karimireddy, He, Jaggi (ICML 2021): m_i <- (1 - beta) u_i + beta m_i, m_i = 0
  // at first, u_i = -eta grad f_i(x_t). The weighted mean of the m_i is then
  // M_t = (1 - beta)(-eta grad f(x_t)) + beta M_{t-1}, and x_{t+1} = x_t + M_t.
  constexpr std::uint32_t n = 6;
  constexpr double beta = 0.8;
  RandomStream split(7, 0, purpose_id("test.split"));
  FederatedConfig config = logistic_config(n, 600, partition_quantity_skew(600, n, 1.0, split));
  config.rounds = 30;
  config.batch_size = 1000;  // one full-batch step
  config.worker_momentum = beta;
  SynchronousFederated rounds(config, nullptr);
  run_all(rounds, engine_for(n));
  REQUIRE(rounds.rounds_completed(0) == 30);

  std::vector<double> x(config.model->dimension(), 0.0), gradient(x.size()), momentum(x.size(), 0.0);
  for (std::uint64_t round = 0; round < config.rounds; ++round) {
    full_loss_and_gradient(*config.model, x, *config.batches.data, gradient);
    for (std::size_t k = 0; k < x.size(); ++k) {
      momentum[k] = (1 - beta) * (-0.5 * gradient[k]) + beta * momentum[k];
      x[k] += momentum[k];
    }
  }
  CHECK(max_abs_difference(server_model(rounds), x) <= 1e-12);
  // Plain FedAvg (beta = 0) is gradient descent, elsewhere: the momentum changed the path.
  config.worker_momentum = 0;
  SynchronousFederated plain(config, nullptr);
  run_all(plain, engine_for(n));
  CHECK(max_abs_difference(server_model(plain), x) > 1e-6);
  CHECK(plain.clients().momentum(0).empty());
  CHECK(rounds.clients().momentum(0).size() == x.size());
}

TEST_CASE("worker momentum moves only when its client participates") {
  // Identical clients (every one holds all samples), full-batch single steps,
  // K = 2 of 4 drawn uniformly: client i's m_i is updated at the rounds it is
  // drawn, from the x of that round, and the server adds the mean of the two m_i.
  constexpr std::uint32_t n = 4;
  constexpr double beta = 0.5;
  FederatedConfig config = identical_clients_config(n, 120);
  config.rounds = 12;
  config.batch_size = 1000;
  config.cohort.clients_per_round = 2;
  config.worker_momentum = beta;
  SynchronousFederated rounds(config, nullptr);
  run_all(rounds, engine_for(n));
  REQUIRE(rounds.rounds_completed(0) == 12);

  CohortSelector selector(ClientSampling::uniform, config.seed, {});
  std::vector<std::uint8_t> busy(n, 0);
  const std::size_t d = config.model->dimension();
  std::vector<double> x(d, 0.0), gradient(d), step(d);
  std::vector<std::vector<double>> momentum(n, std::vector<double>(d, 0.0));
  for (std::uint64_t round = 0; round < config.rounds; ++round) {
    std::vector<NodeId> cohort;
    selector.select(round, 2, busy, n, cohort);
    std::fill(busy.begin(), busy.end(), 0);
    full_loss_and_gradient(*config.model, x, *config.batches.data, gradient);
    std::fill(step.begin(), step.end(), 0.0);
    for (NodeId client : cohort)
      for (std::size_t k = 0; k < d; ++k) {
        momentum[client][k] = (1 - beta) * (-0.5 * gradient[k]) + beta * momentum[client][k];
        step[k] += momentum[client][k] / 2.0;
      }
    for (std::size_t k = 0; k < d; ++k) x[k] += step[k];
  }
  CHECK(max_abs_difference(server_model(rounds), x) <= 1e-12);
  for (NodeId client = 0; client < n; ++client) {
    CAPTURE(client);
    const auto kept = rounds.clients().momentum(client);
    REQUIRE(kept.size() == (rounds.participations(client) > 0 ? d : 0));
    if (!kept.empty()) CHECK(max_abs_difference({kept.begin(), kept.end()}, momentum[client]) <= 1e-12);
  }
}

TEST_CASE("SCAFFOLD reaches the exact optimum on heterogeneous quadratics, and FedAvg keeps a bias") {
  // Least squares whose four clients have different optima (one group each).
  // With tau = 10 full-batch local steps FedAvg's fixed point is not x*
  // (client drift); SCAFFOLD's corrected steps make x* its fixed point.
  constexpr std::uint32_t n = 4;
  RandomStream rng(11, 0, purpose_id("test.data"));
  auto data = std::make_shared<const Dataset>(make_linear_regression(LinearRegressionSpec{400, 5, 0.1, n, 2.0}, rng));
  FederatedConfig config;
  config.clients = n;
  config.seed = 2;
  config.model = std::make_shared<LeastSquares>(5, 1e-3);
  config.batches.data = data;
  config.batches.partition = partition_contiguous(data->size(), n).indices;
  config.batch_size = 1000;
  config.local_steps = 10;
  config.local.schedule.base = 0.05;
  config.cohort.clients_per_round = n;
  config.rounds = 400;
  const OptimumResult optimum = minimize_full_loss(*config.model, *data, 1e-13);
  REQUIRE(optimum.converged);

  SynchronousFederated fedavg(config, nullptr);
  run_all(fedavg, engine_for(n));
  const FederatedKind& scaffold_kind = find_federated_algorithm("scaffold");
  auto scaffold = scaffold_kind.make(config, nullptr);
  auto& scaffold_rounds = dynamic_cast<SynchronousFederated&>(*scaffold);
  run_all(scaffold_rounds, engine_for(n));

  const double fedavg_error = distance(server_model(fedavg), optimum.x);
  const double scaffold_error = distance(server_model(scaffold_rounds), optimum.x);
  CHECK(fedavg_error > 1e-3);
  CHECK(scaffold_error < 1e-8);
  // Client state exists for the clients that participated, and only for them.
  CHECK(scaffold_rounds.clients().remembered_clients() == n);
  CHECK(fedavg.clients().remembered_clients() == 0);
}

TEST_CASE("SCAFFOLD keeps control variates only for clients that participated") {
  constexpr std::uint32_t n = 20;
  FederatedConfig config = logistic_config(n, 400, partition_contiguous(400, n));
  config.cohort.clients_per_round = 2;
  config.rounds = 3;
  auto scaffold = find_federated_algorithm("scaffold").make(config, nullptr);
  auto& rounds = dynamic_cast<SynchronousFederated&>(*scaffold);
  run_all(rounds, engine_for(n));
  std::uint64_t participated = 0;
  for (NodeId client = 0; client < n; ++client) participated += rounds.participations(client) > 0;
  CHECK(participated <= 6);
  CHECK(rounds.clients().remembered_clients() == participated);
}

TEST_CASE("FedProx with a large mu barely moves the model") {
  // With eta mu = 1 each local step is y <- x - eta grad f_i(y): the client
  // stays within about ||grad f_i|| / mu of x, where FedAvg's 50 steps go far.
  constexpr std::uint32_t n = 4;
  FederatedConfig config = logistic_config(n, 400, partition_contiguous(400, n));
  config.rounds = 1;
  config.local_steps = 50;
  config.batch_size = 1000;
  config.local.schedule.base = 0.01;
  config.rule.proximal_mu = 100;
  auto fedprox = find_federated_algorithm("fedprox").make(config, nullptr);
  auto fedavg = find_federated_algorithm("fedavg").make(config, nullptr);
  run_all(dynamic_cast<SynchronousFederated&>(*fedprox), engine_for(n));
  run_all(dynamic_cast<SynchronousFederated&>(*fedavg), engine_for(n));
  const std::vector<double> start(config.model->dimension(), 0.0);
  const std::vector<double> prox_x(fedprox->model(0).begin(), fedprox->model(0).end());
  const std::vector<double> avg_x(fedavg->model(0).begin(), fedavg->model(0).end());
  double largest_gradient = 0;
  std::vector<double> gradient(start.size());
  auto workspace = config.model->make_workspace();
  for (const auto& part : config.batches.partition) {
    config.model->loss_and_gradient(start, *config.batches.data, part, gradient, *workspace);
    largest_gradient = std::max(largest_gradient, distance(gradient, std::vector<double>(gradient.size(), 0.0)));
  }
  CHECK(distance(prox_x, start) <= 1.05 * largest_gradient / 100);
  CHECK(distance(prox_x, start) < distance(avg_x, start) / 20);
}

TEST_CASE("a round deadline drops exactly the clients whose update arrives after it") {
  // Unlimited bandwidth: client i's update arrives at 2 L + its compute
  // duration, ceil(seconds / speed_i * 1e9) ns. The deadline is set to the
  // third client's arrival exactly: it is kept, later ones are dropped.
  constexpr std::uint32_t n = 6;
  FederatedConfig config = logistic_config(n, 600, partition_contiguous(600, n));
  config.rounds = 1;
  config.local_steps = 20;
  EngineConfig engine = engine_for(n);
  engine.compute.flops_per_second = 1e6;
  engine.compute.speed_factor = {1.0, 0.5, 0.3, 2.0, 0.25, 0.8, 1.0};  // the server's last
  ClientTable table(config.batches.partition);
  LocalTrainer trainer(config, table);
  std::vector<SimTime> arrival(n);
  for (NodeId client = 0; client < n; ++client) {
    const ComputeCost cost = trainer.cost(client, MinibatchCursor{}, config.local_steps);
    const double seconds = std::max(cost.flops / engine.compute.flops_per_second,
                                    cost.bytes / engine.compute.bytes_per_second) /
                           engine.compute.speed_factor[client];
    arrival[client] = 2 * kLatency + static_cast<SimTime>(std::ceil(seconds * 1e9));
  }
  std::vector<SimTime> sorted = arrival;
  std::sort(sorted.begin(), sorted.end());
  REQUIRE(sorted[2] < sorted[3]);
  config.cohort.round_deadline = sorted[2];  // the round begins at time 0

  SynchronousFederated fedavg(config, nullptr);
  run_all(fedavg, engine);
  for (NodeId client = 0; client < n; ++client)
    CHECK(fedavg.participations(client) == (arrival[client] <= config.cohort.round_deadline ? 1u : 0u));
  const FederatedRoundRecord& record = fedavg.records().at(0);
  CHECK(record.participants == 3);
  CHECK(record.dropped_deadline == 3);
  CHECK(record.surplus == 0);
  CHECK(record.ended >= config.cohort.round_deadline);
}

TEST_CASE("over-commitment sends the model to ceil(K (1 + r)) clients and keeps the first K updates") {
  // K = 2, r = 2: all 6 clients get the model; the same work at different
  // speeds makes the two fastest clients the first two to report.
  constexpr std::uint32_t n = 6;
  FederatedConfig config = logistic_config(n, 600, partition_contiguous(600, n));
  config.rounds = 1;
  config.cohort.clients_per_round = 2;
  config.cohort.over_commit = 2.0;
  EngineConfig engine = engine_for(n);
  engine.compute.flops_per_second = 1e6;
  engine.compute.speed_factor = {1.0, 0.5, 0.3, 2.0, 0.25, 0.8, 1.0};
  SynchronousFederated fedavg(config, nullptr);
  run_all(fedavg, engine);
  const FederatedRoundRecord& record = fedavg.records().at(0);
  REQUIRE(record.selected == 6);
  CHECK(record.participants == 2);
  CHECK(record.surplus == 4);
  for (NodeId client = 0; client < n; ++client)
    CHECK(fedavg.participations(client) == (client == 0 || client == 3 ? 1u : 0u));
  const auto figures = fedavg.summary_figures();
  auto figure = [&](const std::string& name) {
    for (const auto& [key, value] : figures)
      if (key == name) return value;
    return -1.0;
  };
  CHECK(figure("late_updates") == 4);  // the surplus still arrives, after the round closed
  CHECK(figure("updates_aggregated") == 2);

  // r = 1.5: ceil(2 * 2.5) = 5 clients get the model.
  config.cohort.over_commit = 1.5;
  SynchronousFederated fewer(config, nullptr);
  run_all(fewer, engine);
  CHECK(fewer.records().at(0).selected == 5);
}

TEST_CASE("federated messages have their exact wire sizes") {
  // One round, K = 3: down 3 x (64 + 64 d), up 3 x (64 + 64 d + 64).
  constexpr std::uint32_t n = 5;
  FederatedConfig config = logistic_config(n, 500, partition_contiguous(500, n));
  config.rounds = 1;
  config.cohort.clients_per_round = 3;
  SynchronousFederated fedavg(config, nullptr);
  run_all(fedavg, engine_for(n));
  const std::int64_t d = static_cast<std::int64_t>(config.model->dimension());
  const FederatedRoundRecord& record = fedavg.records().at(0);
  CHECK(record.bits_down == static_cast<std::uint64_t>(3 * (64 + 64 * d)));
  CHECK(record.bits_up == static_cast<std::uint64_t>(3 * (64 + 64 * d + 64)));
}

TEST_CASE("power-of-choice sampling first visits every client, then those with the highest local loss") {
  // K = 2 of 6 with every idle client a candidate: rounds 0-2 take the
  // never-seen clients in id order (their loss is unknown), later rounds the
  // two largest losses reported. Each update carries its loss (32 more bits).
  constexpr std::uint32_t n = 6;
  FederatedConfig config = logistic_config(n, 600, partition_contiguous(600, n));
  config.batches.partition = partition_sorted_by_label(*config.batches.data, n).indices;  // non-iid losses
  config.rounds = 3;
  config.cohort.clients_per_round = 2;
  config.cohort.sampling = ClientSampling::power_of_choice;
  config.cohort.candidates = n;
  SynchronousFederated visits(config, nullptr);
  run_all(visits, engine_for(n));
  for (NodeId client = 0; client < n; ++client) CHECK(visits.participations(client) == 1);
  const std::int64_t d = static_cast<std::int64_t>(config.model->dimension());
  CHECK(visits.records().at(2).bits_up == static_cast<std::uint64_t>(6 * (64 + 64 * d + 64 + 32)));
  config.rounds = 12;
  SynchronousFederated later(config, nullptr);
  run_all(later, engine_for(n));
  std::uint32_t most = 0, least = 100;
  for (NodeId client = 0; client < n; ++client) {
    most = std::max(most, later.participations(client));
    least = std::min(least, later.participations(client));
  }
  CHECK(most > least);  // biased towards the clients that fit worst
}

TEST_CASE("power-of-choice with a probe pays a round trip and takes the highest losses at x_t") {
  // K = 2 of 6 non-iid clients, d = 4 candidates drawn by sample count. The
  // server sends the 4 the model (64 + 64 d bits each), each returns its loss
  // at x_0 on all its samples (32 bits), and the 2 highest get a 64-bit start.
  // Up: 4 losses + 2 updates (64 + 64 d + 64 + 32 each, the update's loss
  // included). The round takes two more latencies and the loss tasks.
  constexpr std::uint32_t n = 6;
  FederatedConfig config = logistic_config(n, 600, partition_contiguous(600, n));
  config.batches.partition = partition_sorted_by_label(*config.batches.data, n).indices;  // non-iid losses
  config.rounds = 1;
  config.cohort.clients_per_round = 2;
  config.cohort.sampling = ClientSampling::power_of_choice;
  config.cohort.candidates = 4;
  config.cohort.probe = true;
  config.initial_model.assign(config.model->dimension(), 0.0);
  for (std::size_t k = 0; k < config.initial_model.size(); ++k) config.initial_model[k] = 0.3 * std::sin(1.0 + k);  // distinct losses
  SynchronousFederated probing(config, nullptr);
  run_all(probing, engine_for(n));

  // The same candidates the server drew, and their losses at x_0.
  std::vector<double> weights;
  for (const auto& rows : config.batches.partition) weights.push_back(static_cast<double>(rows.size()));
  CohortSelector selector(ClientSampling::power_of_choice, config.seed, weights, 4);
  std::vector<std::uint8_t> busy(n, 0);
  std::vector<NodeId> candidates;
  selector.draw_candidates(0, 2, busy, n, candidates);
  REQUIRE(candidates.size() == 4);
  const std::vector<double> x0 = initial_server_model(config);
  const auto workspace = config.model->make_workspace();
  std::vector<std::pair<double, NodeId>> losses;
  for (NodeId client : candidates)
    losses.emplace_back(config.model->loss(x0, *config.batches.data, config.batches.partition[client], *workspace),
                        client);
  std::sort(losses.begin(), losses.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  REQUIRE(losses[1].first > losses[2].first);
  for (NodeId client = 0; client < n; ++client) {
    const bool chosen = client == losses[0].second || client == losses[1].second;
    CHECK(probing.participations(client) == (chosen ? 1u : 0u));
  }
  const std::int64_t d = static_cast<std::int64_t>(config.model->dimension());
  const FederatedRoundRecord& record = probing.records().at(0);
  CHECK(record.selected == 2);
  CHECK(record.bits_down == static_cast<std::uint64_t>(4 * (64 + 64 * d) + 2 * 64));
  CHECK(record.bits_up == static_cast<std::uint64_t>(4 * 32 + 2 * (64 + 64 * d + 64 + 32)));

  // A probe waits at most round_deadline: the highest-loss candidate, made
  // 10^9 times slower, has not answered by then, so the cohort is the next two.
  EngineConfig slow = engine_for(n);
  slow.compute.speed_factor.assign(n + 1, 1.0);
  slow.compute.speed_factor[losses[0].second] = 1e-9;
  config.cohort.round_deadline = 50 * kLatency;
  SynchronousFederated waited(config, nullptr);
  run_all(waited, slow);
  CHECK(!waited.records().at(0).abandoned);
  CHECK(waited.participations(losses[0].second) == 0);
  CHECK(waited.participations(losses[1].second) == 1);
  CHECK(waited.participations(losses[2].second) == 1);
  config.cohort.round_deadline = 0;

  config.cohort.probe = false;
  SynchronousFederated remembered(config, nullptr);
  run_all(remembered, engine_for(n));
  const FederatedRoundRecord& without = remembered.records().at(0);
  CHECK((record.ended - record.began) - (without.ended - without.began) >= 2 * kLatency);
}

TEST_CASE("federated runs are bit-identical on one thread and on parallel windows") {
  // Every window with two or more nodes goes to TBB: clients train and the
  // server aggregates on the pool, with jitter, a deadline and over-commitment.
  constexpr std::uint32_t n = 12;
  for (const std::string_view kind : {"fedavg", "scaffold"}) {
    FederatedConfig config = logistic_config(n, 1200, partition_contiguous(1200, n));
    config.rounds = 15;
    config.local_steps = 4;
    config.batch_size = 16;
    config.cohort.clients_per_round = 4;
    config.cohort.over_commit = 0.5;
    config.cohort.round_deadline = 3 * kLatency;
    std::vector<std::vector<double>> models;
    std::vector<std::vector<std::uint32_t>> participations;
    for (int threads : {1, 2}) {
      EngineConfig engine = engine_for(n, threads);
      engine.always_parallel = threads > 1;
      engine.compute.flops_per_second = 1e7;
      engine.compute.jitter_sigma = 0.5;
      auto behaviour = find_federated_algorithm(kind).make(config, nullptr);
      auto& rounds = dynamic_cast<SynchronousFederated&>(*behaviour);
      run_all(rounds, engine);
      models.push_back(server_model(rounds));
      participations.emplace_back();
      for (NodeId client = 0; client < n; ++client) participations.back().push_back(rounds.participations(client));
    }
    CAPTURE(kind);
    CHECK(models[0] == models[1]);
    CHECK(participations[0] == participations[1]);
  }
}
