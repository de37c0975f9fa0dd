// Exact diffusion, D^2 and BEER against the closed-form optimum of non-iid
// least squares: with full local gradients and a constant step they reach
// it, where D-PSGD keeps a bias of order eta times the spread of the local
// gradients. Plus the equivalences that pin their recursions down: D^2 on
// (I + W) / 2 is exact diffusion on W, and BEER with exact messages and
// gamma = 1 is DIGing step for step.
#include <catch2/catch.hpp>

#include <Eigen/Dense>

#include "algorithms/decentralized/beer.hpp"
#include "algorithms/decentralized/diging.hpp"
#include "algorithms/decentralized/exact_diffusion.hpp"
#include "algorithms/decentralized/gossip_sgd.hpp"
#include "compress/factory.hpp"
#include "data/partition.hpp"
#include "fixture.hpp"
#include "models/least_squares.hpp"

using namespace dlsim;
using namespace dlsim::testing;

namespace {

constexpr std::uint32_t kNodes = 8;
constexpr std::size_t kFeatures = 5;
constexpr double kRidge = 1e-2;

// Node i holds the 40 samples of group i, whose optimum is w* + 2 N(0, I):
// strongly non-iid. Full local batches: deterministic gradients.
DecentralizedConfig least_squares_config(MixingRule rule, std::uint64_t rounds, double learning_rate) {
  RandomStream rng(11, 0, purpose_id("test.data"));
  auto data = std::make_shared<const Dataset>(
      make_linear_regression(LinearRegressionSpec{40 * kNodes, kFeatures, 0.1, kNodes, 2.0}, rng));
  DecentralizedConfig config;
  config.nodes = kNodes;
  config.seed = 3;
  config.mixing = fixed_mixing(mixing_matrix(ring_graph(kNodes), rule));
  config.rounds = rounds;
  config.model = std::make_shared<LeastSquares>(kFeatures, kRidge);
  config.batches.data = data;
  config.batches.partition = partition_contiguous(data->size(), kNodes).indices;
  config.batch_size = 40;
  config.optimizer.schedule.base = learning_rate;
  return config;
}

// The minimiser of (1/(2N)) ||A w - y||^2 + (lambda/2) ||w||^2 over all N
// samples (equal local sizes: the average of the local objectives):
// (A^T A / N + lambda I) w = A^T y / N.
std::vector<double> closed_form_optimum(const Dataset& data) {
  const auto n = static_cast<Eigen::Index>(data.size()), d = static_cast<Eigen::Index>(data.dim);
  Eigen::MatrixXd a(n, d);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index k = 0; k < d; ++k) a(i, k) = data.row(static_cast<std::size_t>(i))[static_cast<std::size_t>(k)];
    y(i) = data.targets[static_cast<std::size_t>(i)];
  }
  const Eigen::MatrixXd h = a.transpose() * a / static_cast<double>(n) + kRidge * Eigen::MatrixXd::Identity(d, d);
  const Eigen::VectorXd w = h.ldlt().solve(a.transpose() * y / static_cast<double>(n));
  return std::vector<double>(w.data(), w.data() + d);
}

// max_i max_k |x_i[k] - optimum[k]|
double distance_to(const DecentralizedAlgorithm& algorithm, const std::vector<double>& optimum) {
  double worst = 0;
  for (const auto& x : models_of(algorithm, kNodes)) worst = std::max(worst, max_abs_difference(x, optimum));
  return worst;
}

double max_model_difference(const DecentralizedAlgorithm& a, const DecentralizedAlgorithm& b) {
  double worst = 0;
  const auto models_a = models_of(a, kNodes), models_b = models_of(b, kNodes);
  for (NodeId node = 0; node < kNodes; ++node) worst = std::max(worst, max_abs_difference(models_a[node], models_b[node]));
  return worst;
}

}  // namespace

TEST_CASE("exact diffusion and D^2 reach the closed-form optimum of non-iid least squares, D-PSGD keeps a bias") {
  const DecentralizedConfig config = least_squares_config(MixingRule::metropolis, 1500, 0.05);
  const std::vector<double> optimum = closed_form_optimum(*config.batches.data);

  ExactDiffusion diffusion(config, nullptr, true);
  GossipSgd dpsgd(config, nullptr, true);
  run_all(diffusion, kNodes);
  run_all(dpsgd, kNodes);
  // D^2 on the ring's Metropolis W has lambda_min = -1/3 exactly (even n), at
  // its stability limit; on the lazy W = (I + W_metropolis) / 2 it is stable.
  ExactDiffusion d2(least_squares_config(MixingRule::lazy_metropolis, 1500, 0.05), nullptr, false);
  run_all(d2, kNodes);
  INFO("exact diffusion " << distance_to(diffusion, optimum) << ", D^2 " << distance_to(d2, optimum) << ", D-PSGD "
                          << distance_to(dpsgd, optimum));
  CHECK(distance_to(diffusion, optimum) < 1e-8);
  CHECK(distance_to(d2, optimum) < 1e-8);
  CHECK(distance_to(dpsgd, optimum) > 1e-3);
}

TEST_CASE("D^2 on the lazy matrix (I + W) / 2 is exact diffusion on W") {
  ExactDiffusion diffusion(least_squares_config(MixingRule::metropolis, 60, 0.05), nullptr, true);
  ExactDiffusion d2(least_squares_config(MixingRule::lazy_metropolis, 60, 0.05), nullptr, false);
  run_all(diffusion, kNodes);
  run_all(d2, kNodes);
  CHECK(max_model_difference(diffusion, d2) < 1e-12);
  // One round by hand: x^1 = W_bar (x^0 - eta g(x^0)) (phi^1 = psi^1), x^0 = 0.
  DecentralizedConfig one = least_squares_config(MixingRule::metropolis, 1, 0.05);
  ExactDiffusion first(one, nullptr, true);
  run_all(first, kNodes);
  auto workspace = one.model->make_workspace();
  std::vector<std::vector<double>> psi(kNodes, std::vector<double>(kFeatures, 0.0));
  std::vector<double> gradient(kFeatures);
  for (NodeId node = 0; node < kNodes; ++node) {
    one.model->loss_and_gradient(psi[node], *one.batches.data, one.batches.partition[node], gradient, *workspace);
    for (std::size_t k = 0; k < kFeatures; ++k) psi[node][k] -= 0.05 * gradient[k];
  }
  for (NodeId node = 0; node < kNodes; ++node) {
    const MixingRow& row = one.mixing.row(node, 0);
    std::vector<double> expected(kFeatures);
    for (std::size_t k = 0; k < kFeatures; ++k) {
      double mixed = row.self_weight * psi[node][k];
      for (std::size_t j = 0; j < row.neighbours.size(); ++j) mixed += row.weights[j] * psi[row.neighbours[j]][k];
      expected[k] = 0.5 * (psi[node][k] + mixed);
    }
    const auto model = first.model(node);
    CHECK(max_abs_difference(std::vector<double>(model.begin(), model.end()), expected) < 1e-15);
  }
}

TEST_CASE("BEER with exact messages and gamma = 1 is DIGing step for step") {
  DecentralizedConfig config = least_squares_config(MixingRule::metropolis, 200, 0.05);
  config.gamma = 1.0;
  Beer beer(config, nullptr);
  Diging diging(config, nullptr);
  run_all(beer, kNodes);
  run_all(diging, kNodes);
  // Same recursion; BEER forms W x as x + (s_h - h) from increments, so rounding differs.
  CHECK(max_model_difference(beer, diging) < 1e-10);
}

TEST_CASE("BEER reaches the closed-form optimum with the identity and a top-k compressor") {
  DecentralizedConfig config = least_squares_config(MixingRule::metropolis, 3000, 0.05);
  const std::vector<double> optimum = closed_form_optimum(*config.batches.data);
  GossipSgd dpsgd(config, nullptr, true);
  run_all(dpsgd, kNodes);

  SECTION("identity: fp32 values, whose rounding shrinks with the increments") {
    config.compressor = make_compressor("identity", {});
    config.gamma = 1.0;
    Beer beer(config, nullptr);
    run_all(beer, kNodes);
    INFO("BEER " << distance_to(beer, optimum) << ", D-PSGD " << distance_to(dpsgd, optimum));
    CHECK(distance_to(beer, optimum) < 1e-8);
    CHECK(distance_to(dpsgd, optimum) > 1e-3);
  }
  SECTION("top-2 of 5 coordinates") {
    config.compressor = make_compressor("top-k", {{"k", std::int64_t{2}}});
    config.gamma = 0.4;
    Beer beer(config, nullptr);
    run_all(beer, kNodes);
    INFO("BEER " << distance_to(beer, optimum) << ", D-PSGD " << distance_to(dpsgd, optimum));
    CHECK(distance_to(beer, optimum) < 1e-8);
  }
}

TEST_CASE("BEER sends both increments in one message at the compressor's exact size") {
  // top-2 of d = 5: 2 x (32 + ceil(log2 5) = 3) = 70 bits per increment, two
  // increments and the 64-bit header: 204 bits per message; 2 neighbours per node.
  DecentralizedConfig config = least_squares_config(MixingRule::metropolis, 10, 0.05);
  config.compressor = make_compressor("top-k", {{"k", std::int64_t{2}}});
  config.gamma = 0.4;
  Beer beer(config, nullptr);
  Engine engine(gigabit_network(kNodes));
  engine.set_behaviour_all(&beer);
  engine.run_until(kNever - 1);
  const NodeCounters totals = engine.total_counters();
  CHECK(totals.messages_sent == 10u * kNodes * 2);
  RandomStream unused(1, 0, 0);
  const std::uint64_t part_bits = config.compressor->compress(std::vector<double>{1, -2, 3, 0.5, 4}, unused).bits();
  CHECK(part_bits == 70u);
  CHECK(totals.bits_sent == totals.messages_sent * (64u + 2 * part_bits));
}

TEST_CASE("exact diffusion, D^2 and BEER with a random compressor are bit-identical with 1 and 2 threads") {
  DecentralizedConfig config = least_squares_config(MixingRule::lazy_metropolis, 80, 0.05);
  config.batch_size = 8;  // minibatches: the samplers' streams matter too
  DecentralizedConfig compressed = config;
  compressed.compressor = make_compressor("rand-k", {{"k", std::int64_t{2}}});
  compressed.gamma = 0.3;
  for (int variant = 0; variant < 3; ++variant) {
    auto make = [&]() -> std::unique_ptr<DecentralizedAlgorithm> {
      if (variant == 2) return std::make_unique<Beer>(compressed, nullptr);
      return std::make_unique<ExactDiffusion>(config, nullptr, variant == 0);
    };
    auto one = make(), two = make();
    run_all(*one, kNodes, 1);
    run_all(*two, kNodes, 2);
    const auto a = models_of(*one, kNodes), b = models_of(*two, kNodes);
    CHECK(a == b);
  }
}

TEST_CASE("exact diffusion refuses a compressor and a time-varying W, BEER a gamma outside 0 < gamma <= 1 and momentum") {
  DecentralizedConfig config = least_squares_config(MixingRule::metropolis, 1, 0.05);
  DecentralizedConfig compressed = config;
  compressed.compressor = make_compressor("top-k", {{"k", std::int64_t{2}}});
  CHECK_THROWS_WITH(ExactDiffusion(compressed, nullptr, true), Catch::Contains("compression.kind"));
  DecentralizedConfig varying = config;
  varying.mixing.period.push_back(varying.mixing.period.front());
  CHECK_THROWS_WITH(ExactDiffusion(varying, nullptr, false), Catch::Contains("time-varying"));
  CHECK_THROWS_WITH(Beer(varying, nullptr), Catch::Contains("time-varying"));
  DecentralizedConfig big_gamma = config;
  big_gamma.gamma = 1.5;
  CHECK_THROWS_WITH(Beer(big_gamma, nullptr), Catch::Contains("gamma"));
  DecentralizedConfig momentum = config;
  momentum.optimizer.momentum = 0.9;
  CHECK_THROWS_WITH(Beer(momentum, nullptr), Catch::Contains("momentum"));
}
