// The pieces of the federated server and clients: cohort selection, the
// server optimisers of Reddi et al. (ICLR 2021), the weighted mean, and the
// clients' minibatch walks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "algorithms/federated/aggregation.hpp"
#include "algorithms/federated/client_table.hpp"
#include "algorithms/federated/selection.hpp"
#include "algorithms/federated/server_optimizer.hpp"

using namespace dlsim;

TEST_CASE("cohort selection picks distinct idle clients, deterministically, and marks them busy") {
  for (ClientSampling sampling : {ClientSampling::uniform, ClientSampling::weighted, ClientSampling::round_robin}) {
    CAPTURE(sampling_name(sampling));
    std::vector<double> weights(1000);
    for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = 1.0 + static_cast<double>(i % 7);
    for (std::uint32_t count : {10u, 700u}) {  // the sparse (rejection) and the dense path
      CohortSelector a(sampling, 9, weights), b(sampling, 9, weights);
      std::vector<std::uint8_t> busy_a(1000, 0), busy_b(1000, 0);
      for (std::size_t i = 0; i < 1000; i += 3) busy_a[i] = busy_b[i] = 1;  // 334 busy, 666 idle
      std::vector<NodeId> chosen_a, chosen_b;
      a.select(4, count, busy_a, 666, chosen_a);
      b.select(4, count, busy_b, 666, chosen_b);
      CHECK(chosen_a == chosen_b);
      CHECK(chosen_a.size() == std::min<std::size_t>(count, 666));
      CHECK(std::set<NodeId>(chosen_a.begin(), chosen_a.end()).size() == chosen_a.size());
      for (NodeId client : chosen_a) {
        CHECK(client % 3 != 0);   // never a busy one
        CHECK(busy_a[client] == 1);  // and now busy
      }
    }
  }
}

TEST_CASE("round-robin selection walks the clients in id order, skipping busy ones") {
  CohortSelector selector(ClientSampling::round_robin, 1, {});
  std::vector<std::uint8_t> busy(5, 0);
  busy[1] = 1;
  std::vector<NodeId> chosen;
  selector.select(0, 2, busy, 4, chosen);
  CHECK(chosen == std::vector<NodeId>{0, 2});
  std::fill(busy.begin(), busy.end(), 0);
  chosen.clear();
  selector.select(1, 4, busy, 5, chosen);
  CHECK(chosen == std::vector<NodeId>{3, 4, 0, 1});
}

TEST_CASE("weighted selection favours clients with more samples") {
  // Clients 0..99 have weight 1, 100..199 weight 9: over many rounds of 10,
  // the heavy half is chosen about 9 times as often (without replacement a
  // little less).
  std::vector<double> weights(200, 1.0);
  std::fill(weights.begin() + 100, weights.end(), 9.0);
  CohortSelector selector(ClientSampling::weighted, 3, weights);
  std::uint64_t heavy = 0, light = 0;
  for (std::uint64_t round = 0; round < 400; ++round) {
    std::vector<std::uint8_t> busy(200, 0);
    std::vector<NodeId> chosen;
    selector.select(round, 10, busy, 200, chosen);
    for (NodeId client : chosen) (client >= 100 ? heavy : light) += 1;
  }
  const double ratio = static_cast<double>(heavy) / static_cast<double>(light);
  CHECK(ratio > 6.5);
  CHECK(ratio < 10.0);
}

TEST_CASE("server optimisers follow Reddi et al.'s Algorithm 2") {
  const std::vector<double> delta{0.5, -2.0};
  ServerOptimizerConfig config;
  config.learning_rate = 0.1;
  SECTION("sgd: x + eta Delta") {
    ServerOptimizer optimizer(config);
    std::vector<double> x{1.0, 1.0};
    optimizer.apply(x, delta);
    CHECK(x == std::vector<double>{1.0 + 0.1 * 0.5, 1.0 - 0.1 * 2.0});
  }
  SECTION("momentum: m = beta m + Delta; x + eta m") {
    config.kind = ServerOptimizerKind::momentum;
    config.momentum = 0.5;
    ServerOptimizer optimizer(config);
    std::vector<double> x{0.0, 0.0};
    optimizer.apply(x, delta);
    optimizer.apply(x, delta);
    // m1 = Delta, m2 = 1.5 Delta: x = 0.1 * 2.5 Delta
    CHECK(x[0] == Approx(0.25 * 0.5).epsilon(1e-15));
    CHECK(x[1] == Approx(-0.25 * 2.0).epsilon(1e-15));
  }
  for (ServerOptimizerKind kind : {ServerOptimizerKind::adam, ServerOptimizerKind::yogi, ServerOptimizerKind::adagrad}) {
    config.kind = kind;
    config.beta1 = 0.9;
    config.beta2 = 0.99;
    config.tau = 1e-3;
    ServerOptimizer optimizer(config);
    std::vector<double> x{0.0, 0.0};
    optimizer.apply(x, delta);
    for (std::size_t k = 0; k < 2; ++k) {
      const double m = 0.1 * delta[k];
      const double v0 = 1e-6, squared = delta[k] * delta[k];
      const double v = kind == ServerOptimizerKind::adagrad ? v0 + squared
                       : kind == ServerOptimizerKind::yogi  ? v0 - 0.01 * squared * (v0 - squared > 0 ? 1 : -1)
                                                            : 0.99 * v0 + 0.01 * squared;
      CHECK(x[k] == Approx(0.1 * m / (std::sqrt(v) + 1e-3)).epsilon(1e-14));
    }
  }
}

TEST_CASE("the weighted mean sums sum_i w_i Delta_i / sum_i w_i") {
  VectorCodec exact;
  RandomStream rng(1, 0, 0);
  std::vector<KeptUpdate> kept;
  const std::vector<std::vector<double>> deltas{{1.0, 0.0}, {0.0, 4.0}};
  const std::vector<double> weights{3.0, 1.0};
  for (std::size_t i = 0; i < 2; ++i) {
    auto update = std::make_shared<ClientUpdate>();
    update->delta = exact.encode(0, deltas[i], rng);
    kept.push_back(KeptUpdate{static_cast<NodeId>(i), weights[i], update});
  }
  std::vector<double> out(2);
  WeightedMean().aggregate(kept, exact, out);
  CHECK(out == std::vector<double>{0.75, 1.0});
}

TEST_CASE("a client's minibatch walk visits every sample once per epoch and resumes from its cursor") {
  std::vector<std::uint32_t> indices(10);
  for (std::uint32_t i = 0; i < 10; ++i) indices[i] = 100 + i;
  MinibatchWalk walk(5, 3, indices, 4, MinibatchCursor{});
  std::multiset<std::uint32_t> seen;
  std::vector<std::size_t> sizes;
  for (int batch = 0; batch < 3; ++batch) {
    const auto next = walk.next();
    sizes.push_back(next.size());
    seen.insert(next.begin(), next.end());
  }
  CHECK(sizes == std::vector<std::size_t>{4, 4, 2});
  CHECK(seen == std::multiset<std::uint32_t>(indices.begin(), indices.end()));
  // A walk resumed from the cursor continues exactly where this one goes on.
  MinibatchWalk resumed(5, 3, indices, 4, walk.cursor());
  const auto a = walk.next();
  const std::vector<std::uint32_t> expected(a.begin(), a.end());
  const auto b = resumed.next();
  CHECK(std::vector<std::uint32_t>(b.begin(), b.end()) == expected);
  CHECK(walk.cursor().epoch == 1);
}

TEST_CASE("an idle client costs a few dozen bytes") {
  CHECK(ClientTable::row_bytes() <= 24);
}

TEST_CASE("power of choice keeps the candidates with the largest last losses, unknown ones first") {
  // All 10 clients are candidates (d = 10): the cohort is the 3 largest losses.
  const std::vector<double> weights(10, 1.0);
  CohortSelector selector(ClientSampling::power_of_choice, 2, weights, 10);
  std::vector<float> losses{0.1f, 0.9f, 0.3f, 0.8f, 0.2f, 0.7f, 0.4f, 0.6f, 0.5f, 0.05f};
  std::vector<std::uint8_t> busy(10, 0);
  std::vector<NodeId> chosen;
  selector.select(0, 3, busy, 10, chosen, losses);
  CHECK(chosen == std::vector<NodeId>{1, 3, 5});
  // A client never heard from (+inf) comes first; busy ones are never chosen.
  losses[9] = std::numeric_limits<float>::infinity();
  chosen.clear();
  selector.select(1, 2, busy, 7, chosen, losses);
  CHECK(chosen == std::vector<NodeId>{9, 7});
  // With d = count it is weighted sampling: the losses do not matter.
  CohortSelector narrow(ClientSampling::power_of_choice, 2, weights, 1);
  std::vector<std::uint8_t> idle(10, 0);
  chosen.clear();
  narrow.select(0, 4, idle, 10, chosen, losses);
  CHECK(chosen.size() == 4);
}
