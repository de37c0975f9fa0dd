// D-PSGD's two orders and quasi-global momentum: the gradient-then-gossip
// order against its formula for one round computed by hand; quasi-global
// momentum against heavy ball where the two must agree (closed form below)
// and against local heavy ball on data sorted by label, where it is meant to help.
#include <catch2/catch.hpp>

#include "algorithms/decentralized/gossip_sgd.hpp"
#include "data/partition.hpp"
#include "data/sampler.hpp"
#include "fixture.hpp"
#include "metrics/optimum.hpp"
#include "models/least_squares.hpp"
#include "models/logistic.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("d-psgd gradient-then-gossip is x_i^1 = sum_j w_ij (x_j^0 - eta g_j(x_j^0)) for one round") {
  constexpr std::uint32_t n = 6;
  DecentralizedConfig config = logistic_config(ring_graph(n), 1, 0.3, true);
  config.initial_models = random_vectors(n, config.model->dimension(), 17);
  config.order = GossipOrder::gradient_then_gossip;
  GossipSgd dpsgd(config, nullptr, true);
  run_all(dpsgd, n);

  // The same first minibatch each node draws: its sampler on its (seed, node) stream.
  auto workspace = config.model->make_workspace();
  std::vector<std::vector<double>> half(n);
  std::vector<double> gradient(config.model->dimension());
  for (NodeId node = 0; node < n; ++node) {
    MinibatchSampler sampler(config.batches.partition[node], config.batch_size);
    RandomStream stream(config.seed, node, purpose_id("data.sampler"));
    const std::vector<double>& x = config.initial_models[node];
    config.model->loss_and_gradient(x, *config.batches.data, sampler.next(stream), gradient, *workspace);
    half[node] = x;
    for (std::size_t k = 0; k < x.size(); ++k) half[node][k] -= 0.3 * gradient[k];
  }
  double overlapped_gap = 0;
  GossipSgd overlapped([&] {
    DecentralizedConfig other = config;
    other.order = GossipOrder::overlapped;
    return other;
  }(), nullptr, true);
  run_all(overlapped, n);
  for (NodeId node = 0; node < n; ++node) {
    const MixingRow& row = config.mixing.row(node, 0);
    std::vector<double> expected(half[node].size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
      expected[k] = row.self_weight * half[node][k];
      for (std::size_t j = 0; j < row.neighbours.size(); ++j) expected[k] += row.weights[j] * half[row.neighbours[j]][k];
    }
    const auto model = dpsgd.model(node);
    CHECK(max_abs_difference(std::vector<double>(model.begin(), model.end()), expected) < 1e-15);
    const auto other = overlapped.model(node);
    overlapped_gap = std::max(overlapped_gap, max_abs_difference(std::vector<double>(other.begin(), other.end()), expected));
  }
  // The overlapped order steps from x_i alone: x_i^1 = sum_j w_ij x_j^0 - eta g_i; a different point.
  CHECK(overlapped_gap > 1e-6);
}

TEST_CASE("quasi-global momentum with mu = 0 on the complete graph is heavy-ball SGD on the union batch") {
  // W = J / n and x_i^0 all equal: x^{t+1} = x^t - eta (1/n) sum_j m_j, the same at every node, so
  // d_i = (x^t - x^{t+1}) / eta = (1/n) sum_j m_j; with mu = 0, m_hat = d, and
  // m_hat^t = beta m_hat^{t-1} + g_bar^t: heavy ball v = beta v + g_bar, x -= eta v on the average gradient.
  constexpr std::uint32_t n = 5;
  DecentralizedConfig config = logistic_config(complete_graph(n), 40, 0.2, true);
  config.mixing = fixed_mixing(mixing_matrix(complete_graph(n), MixingRule::uniform));
  config.optimizer.momentum = 0.8;
  config.optimizer.momentum_kind = MomentumKind::quasi_global;
  config.optimizer.quasi_global_mu = 0;
  // (Only in the gradient-then-gossip order: overlapped d-psgd steps after the
  // average, x_i^{t+1} = x_bar^t - eta m_i, so the nodes' models part.)
  {
    config.order = GossipOrder::gradient_then_gossip;
    GossipSgd qgm(config, nullptr, true);
    run_all(qgm, n);

    std::vector<MinibatchSampler> samplers;
    std::vector<RandomStream> streams;
    for (NodeId node = 0; node < n; ++node) {
      samplers.emplace_back(config.batches.partition[node], config.batch_size);
      streams.emplace_back(config.seed, node, purpose_id("data.sampler"));
    }
    std::vector<double> x(config.model->dimension(), 0.0), v(x.size(), 0.0), gradient(x.size()), mean(x.size());
    auto workspace = config.model->make_workspace();
    for (std::uint64_t round = 0; round < config.rounds; ++round) {
      std::fill(mean.begin(), mean.end(), 0.0);
      for (NodeId node = 0; node < n; ++node) {
        config.model->loss_and_gradient(x, *config.batches.data, samplers[node].next(streams[node]), gradient, *workspace);
        for (std::size_t k = 0; k < x.size(); ++k) mean[k] += gradient[k] / n;
      }
      for (std::size_t k = 0; k < x.size(); ++k) {
        v[k] = 0.8 * v[k] + mean[k];
        x[k] -= 0.2 * v[k];
      }
    }
    for (NodeId node = 0; node < n; ++node) {
      const auto model = qgm.model(node);
      CHECK(max_abs_difference(std::vector<double>(model.begin(), model.end()), x) < 1e-10);
    }
  }
}

TEST_CASE("quasi-global momentum keeps the nodes closer to the optimum than local heavy ball on sorted data") {
  // On data sorted by label each node's heavy-ball buffer accumulates its own
  // gradient, which points away from the others'; the quasi-global buffer
  // follows the model change after gossip (Lin et al. 2021). Measured:
  // (1/n) sum_i ||x_i - x*||^2 over the nodes' own models, and the spread.
  constexpr std::uint32_t n = 16;
  DecentralizedConfig config = logistic_config(ring_graph(n), 600, 0.05, true);
  config.optimizer.momentum = 0.9;
  const std::vector<double> optimum = minimize_full_loss(*config.model, *config.batches.data).x;
  auto mean_distance = [&](const DecentralizedAlgorithm& algorithm) {
    double total = 0;
    for (const auto& x : models_of(algorithm, n))
      for (std::size_t k = 0; k < x.size(); ++k) total += (x[k] - optimum[k]) * (x[k] - optimum[k]);
    return total / n;
  };
  GossipSgd heavy_ball(config, nullptr, true);
  config.optimizer.momentum_kind = MomentumKind::quasi_global;
  GossipSgd quasi_global(config, nullptr, true);
  run_all(heavy_ball, n);
  run_all(quasi_global, n);
  INFO("distance to x*: heavy ball " << mean_distance(heavy_ball) << ", quasi-global " << mean_distance(quasi_global)
                                     << "; consensus distance " << consensus_distance(models_of(heavy_ball, n))
                                     << " vs " << consensus_distance(models_of(quasi_global, n)));
  CHECK(mean_distance(quasi_global) < 0.6 * mean_distance(heavy_ball));
  CHECK(consensus_distance(models_of(quasi_global, n)) < 0.1 * consensus_distance(models_of(heavy_ball, n)));
}

TEST_CASE("d-psgd in either order with quasi-global momentum is bit-identical with 1 and 2 threads") {
  constexpr std::uint32_t n = 8;
  DecentralizedConfig config = logistic_config(ring_graph(n), 50, 0.1, true);
  config.optimizer.momentum = 0.9;
  config.optimizer.momentum_kind = MomentumKind::quasi_global;
  for (GossipOrder order : {GossipOrder::gradient_then_gossip, GossipOrder::overlapped}) {
    config.order = order;
    GossipSgd one(config, nullptr, true), two(config, nullptr, true);
    run_all(one, n, 1);
    run_all(two, n, 2);
    CHECK(models_of(one, n) == models_of(two, n));
  }
}
