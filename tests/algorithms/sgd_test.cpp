// Decentralized SGD algorithms against exact equivalences and known
// behaviour: on the complete graph with uniform weights adapt-then-combine
// SGD is minibatch SGD step for step; without compression CHOCO-SGD, DCD and
// ECD reduce to (their form of) D-PSGD; gradient tracking removes the bias of
// D-PSGD on non-iid data; AD-PSGD's pairwise averages conserve the sum.
#include <catch2/catch.hpp>

#include "algorithms/decentralized/ad_psgd.hpp"
#include "algorithms/decentralized/choco.hpp"
#include "algorithms/decentralized/compressed_psgd.hpp"
#include "algorithms/decentralized/diging.hpp"
#include "algorithms/decentralized/gossip_sgd.hpp"
#include "algorithms/decentralized/local_sgd.hpp"
#include "compress/factory.hpp"
#include "data/partition.hpp"
#include "data/sampler.hpp"
#include "fixture.hpp"
#include "metrics/optimum.hpp"
#include "models/least_squares.hpp"
#include "models/logistic.hpp"

using namespace dlsim;
using namespace dlsim::testing;

namespace {

double max_model_difference(const DecentralizedAlgorithm& a, const DecentralizedAlgorithm& b, std::uint32_t nodes) {
  double worst = 0;
  const auto models_a = models_of(a, nodes), models_b = models_of(b, nodes);
  for (NodeId node = 0; node < nodes; ++node) worst = std::max(worst, max_abs_difference(models_a[node], models_b[node]));
  return worst;
}

}  // namespace

TEST_CASE("on the complete graph with uniform weights, local SGD (tau = 1) is minibatch SGD step for step") {
  // x_i^{t+1} = sum_j (1/n) (x_j^t - eta g_j(x_j^t)); all x_j^t are equal, so
  // x^{t+1} = x^t - eta (1/n) sum_j g_j(x^t): SGD with the union of the nodes' batches.
  constexpr std::uint32_t n = 6;
  const DecentralizedConfig config = logistic_config(complete_graph(n), 40, 0.5);
  LocalSgd decentralized(config, nullptr);
  run_all(decentralized, n);

  std::vector<MinibatchSampler> samplers;
  std::vector<RandomStream> streams;
  for (NodeId node = 0; node < n; ++node) {
    samplers.emplace_back(config.batches.partition[node], config.batch_size);
    streams.emplace_back(config.seed, node, purpose_id("data.sampler"));
  }
  std::vector<double> x(config.model->dimension(), 0.0), gradient(x.size()), step(x.size());
  auto workspace = config.model->make_workspace();
  for (std::uint64_t round = 0; round < config.rounds; ++round) {
    std::fill(step.begin(), step.end(), 0.0);
    for (NodeId node = 0; node < n; ++node) {
      config.model->loss_and_gradient(x, *config.batches.data, samplers[node].next(streams[node]), gradient, *workspace);
      for (std::size_t k = 0; k < x.size(); ++k) step[k] += gradient[k] / n;
    }
    for (std::size_t k = 0; k < x.size(); ++k) x[k] -= 0.5 * step[k];
  }
  for (NodeId node = 0; node < n; ++node) {
    const std::span<const double> model = decentralized.model(node);
    CHECK(max_abs_difference(std::vector<double>(model.begin(), model.end()), x) < 1e-12);
  }
}

TEST_CASE("without compression, CHOCO-SGD with gamma = 1 is local SGD (tau = 1), and DCD and ECD are D-PSGD") {
  constexpr std::uint32_t n = 8;
  const Graph ring = ring_graph(n);
  DecentralizedConfig config = logistic_config(ring, 30, 0.3);
  config.gamma = 1.0;
  // CHOCO-SGD (ICML 2019) exact: x_hat_i = x_i^{t+1/2}, so x^{t+1} = W (x^t - eta g).
  Choco choco(config, nullptr, true);
  LocalSgd local(config, nullptr);
  run_all(choco, n);
  run_all(local, n);
  CHECK(max_model_difference(choco, local, n) < 1e-12);

  GossipSgd dpsgd(config, nullptr, true);
  CompressedPsgd dcd(config, nullptr, CompressedPsgdKind::dcd);
  CompressedPsgd ecd(config, nullptr, CompressedPsgdKind::ecd);
  run_all(dpsgd, n);
  run_all(dcd, n);
  run_all(ecd, n);
  CHECK(max_model_difference(dpsgd, dcd, n) < 1e-10);
  CHECK(max_model_difference(dpsgd, ecd, n) < 1e-10);
  // And the two orders of D-PSGD really differ (the test would notice a mix-up).
  CHECK(max_model_difference(dpsgd, local, n) > 1e-6);
}

TEST_CASE("CHOCO-SGD with strong compression reaches the suboptimality of exact D-PSGD on sorted data") {
  // 9 nodes on a ring, data sorted by label (Koloskova et al. 2019's convex setting).
  constexpr std::uint32_t n = 9;
  DecentralizedConfig config = logistic_config(ring_graph(n), 3000, 0.05, true);
  const double optimum = minimize_full_loss(*config.model, *config.batches.data).loss;
  auto suboptimality = [&](const DecentralizedAlgorithm& algorithm) {
    const auto models = models_of(algorithm, n);
    std::vector<double> gradient(config.model->dimension());
    return full_loss_and_gradient(*config.model, average_model(models), *config.batches.data, gradient) - optimum;
  };
  config.optimizer.schedule.kind = LearningRateSchedule::Kind::inverse_time;
  config.optimizer.schedule.base = 0.5;
  config.optimizer.schedule.offset = 100;
  GossipSgd exact(config, nullptr, true);
  run_all(exact, n);
  const double exact_gap = suboptimality(exact);

  for (auto variant : {ChocoVariant::icml2019, ChocoVariant::iclr2020}) {
    DecentralizedConfig compressed = config;
    compressed.compressor = make_compressor("top-k", {{"ratio", 0.05}});
    compressed.gamma = 0.1;  // the ICLR 2020 order is unstable at 0.2 here (stale x_hat)
    compressed.choco_variant = variant;
    Choco choco(compressed, nullptr, true);
    run_all(choco, n);
    INFO("exact D-PSGD " << exact_gap << ", CHOCO-SGD " << suboptimality(choco));
    CHECK(exact_gap < 2e-3);
    CHECK(suboptimality(choco) < 3 * exact_gap + 1e-3);
  }
}

TEST_CASE("DIGing converges to the exact optimum on non-iid least squares, where D-PSGD keeps a bias") {
  constexpr std::uint32_t n = 8;
  RandomStream rng(11, 0, purpose_id("test.data"));
  auto data = std::make_shared<const Dataset>(
      make_linear_regression(LinearRegressionSpec{40 * n, 5, 0.1, n, 2.0}, rng));  // group i = node i
  DecentralizedConfig config;
  config.nodes = n;
  config.mixing = fixed_mixing(mixing_matrix(ring_graph(n), MixingRule::metropolis));
  config.rounds = 1500;
  config.model = std::make_shared<LeastSquares>(5, 1e-2);
  config.batches.data = data;
  config.batches.partition = partition_contiguous(data->size(), n).indices;
  config.batch_size = 40;  // the whole local data set: deterministic gradients
  config.optimizer.schedule.base = 0.05;
  const std::vector<double> optimum = minimize_full_loss(*config.model, *data, 1e-13).x;

  Diging tracking(config, nullptr);
  GossipSgd dpsgd(config, nullptr, true);
  run_all(tracking, n);
  run_all(dpsgd, n);
  double tracking_error = 0, dpsgd_error = 0;
  for (NodeId node = 0; node < n; ++node) {
    const auto a = tracking.model(node), b = dpsgd.model(node);
    tracking_error = std::max(tracking_error, max_abs_difference(std::vector<double>(a.begin(), a.end()), optimum));
    dpsgd_error = std::max(dpsgd_error, max_abs_difference(std::vector<double>(b.begin(), b.end()), optimum));
  }
  INFO("DIGing " << tracking_error << ", D-PSGD " << dpsgd_error);
  CHECK(tracking_error < 1e-8);
  CHECK(dpsgd_error > 1e-3);
}

TEST_CASE("local SGD sends one model per neighbour every tau rounds") {
  constexpr std::uint32_t n = 5;
  DecentralizedConfig config = logistic_config(ring_graph(n), 20, 0.1);
  config.local_steps = 4;
  LocalSgd local(config, nullptr);
  Engine engine(gigabit_network(n));
  engine.set_behaviour_all(&local);
  engine.run_until(kNever - 1);
  // 20 rounds, gossip in rounds 3, 7, 11, 15, 19: 5 x 5 nodes x 2 neighbours; 64-bit header + 64 bits per value.
  CHECK(engine.total_counters().messages_sent == 50u);
  CHECK(engine.total_counters().bits_sent == 50u * (64 + 64 * 20));
  for (NodeId node = 0; node < n; ++node) CHECK(local.rounds_completed(node) == 20u);
}

TEST_CASE("AD-PSGD: pairwise averages conserve the sum of the models, with gradients the loss falls") {
  constexpr std::uint32_t n = 10;
  DecentralizedConfig config = consensus_config(mixing_matrix(ring_graph(n), MixingRule::metropolis),
                                                random_vectors(n, 30, 4), 200);
  // No gradient steps: learning rate 0, data only to keep the sampler busy.
  RandomStream rng(3, 0, purpose_id("test.data"));
  auto data = std::make_shared<const Dataset>(make_linear_regression(LinearRegressionSpec{10 * n, 30, 0.1}, rng));
  config.batches.data = data;
  config.batches.partition = partition_contiguous(data->size(), n).indices;
  config.optimizer.schedule.base = 0.0;
  const auto initial = config.initial_models;
  AdPsgd gossip(config, nullptr);
  run_all(gossip, n);
  const auto models = models_of(gossip, n);
  CHECK(max_abs_difference(average_model(models), average_model(initial)) < 1e-12);
  CHECK(consensus_distance(models) < 1e-6 * consensus_distance(initial));

  DecentralizedConfig learning = logistic_config(ring_graph(n), 300, 0.5);
  AdPsgd sgd(learning, nullptr);
  run_all(sgd, n);
  std::vector<double> gradient(learning.model->dimension());
  const double start = full_loss_and_gradient(*learning.model, std::vector<double>(gradient.size(), 0.0),
                                              *learning.batches.data, gradient);
  const double end = full_loss_and_gradient(*learning.model, average_model(models_of(sgd, n)),
                                            *learning.batches.data, gradient);
  CHECK(end < 0.8 * start);
  for (NodeId node = 0; node < n; ++node) CHECK(sgd.rounds_completed(node) == 300u);
}

TEST_CASE("CHOCO-SGD with a random compressor gives bit-identical models with 1 and 2 threads") {
  constexpr std::uint32_t n = 12;
  DecentralizedConfig config = logistic_config(ring_graph(n), 60, 0.2);
  config.compressor = make_compressor("rand-k", {{"ratio", 0.2}});
  config.gamma = 0.3;
  Choco one(config, nullptr, true), two(config, nullptr, true);
  run_all(one, n, 1);
  run_all(two, n, 2);
  CHECK(max_model_difference(one, two, n) == 0.0);
}

TEST_CASE("AD-PSGD with a reply timeout shorter than the round trip: late replies are dropped, nodes still agree") {
  // Every exchange times out (1 ms links, 0.5 ms timeout): the node steps
  // alone and drops the reply that comes later. With learning rate 0 every
  // update is then a peer moving halfway to a requester's (older) model, a
  // convex combination: the models stay within the initial range, each step
  // is counted once, and the nodes still agree.
  constexpr std::uint32_t n = 10;
  DecentralizedConfig config = consensus_config(mixing_matrix(ring_graph(n), MixingRule::metropolis),
                                                random_vectors(n, 30, 4), 200);
  RandomStream rng(3, 0, purpose_id("test.data"));
  auto data = std::make_shared<const Dataset>(make_linear_regression(LinearRegressionSpec{10 * n, 30, 0.1}, rng));
  config.batches.data = data;
  config.batches.partition = partition_contiguous(data->size(), n).indices;
  config.optimizer.schedule.base = 0.0;
  config.reply_timeout = 500'000;
  const auto initial = config.initial_models;
  AdPsgd gossip(config, nullptr);
  const EngineStats stats = run_all(gossip, n);
  const auto models = models_of(gossip, n);
  for (std::size_t k = 0; k < 30; ++k) {
    double low = initial[0][k], high = initial[0][k];
    for (const auto& x : initial) low = std::min(low, x[k]), high = std::max(high, x[k]);
    for (const auto& x : models) CHECK((x[k] >= low && x[k] <= high));
  }
  CHECK(consensus_distance(models) < 1e-3 * consensus_distance(initial));
  for (NodeId node = 0; node < n; ++node) CHECK(gossip.rounds_completed(node) == 200u);
  CHECK(stats.events > 0);
}
