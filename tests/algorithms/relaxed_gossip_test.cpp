// Relaxed (over-relaxed) gossip x <- x + gamma (W - I) x: its iteration
// matrix has eigenvalues 1 + gamma (lambda - 1), so the disagreement shrinks
// per round by the largest |1 + gamma (lambda - 1)| over the nontrivial
// eigenvalues lambda of W. Checked on a ring, where those are known in closed
// form, for gossip and for choco-gossip with exact messages (which is the same
// iteration once x_hat = x).
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "algorithms/decentralized/choco.hpp"
#include "algorithms/decentralized/gossip_sgd.hpp"
#include "compress/factory.hpp"
#include "fixture.hpp"

using namespace dlsim;
using namespace dlsim::testing;

namespace {

// Ring of 8 with Metropolis weights 1/3: lambda_k = 1/3 + 2/3 cos(2 pi k / 8),
// so lambda_2 = 1/3 + sqrt(2)/3 and lambda_min = -1/3 (stability bound 1.5).
constexpr std::uint32_t kNodes = 8;

double predicted_rate(double gamma) {
  double rate = 0;
  for (std::uint32_t k = 1; k < kNodes; ++k) {
    const double lambda = 1.0 / 3 + 2.0 / 3 * std::cos(2 * std::numbers::pi * k / kNodes);
    rate = std::max(rate, std::abs(1 + gamma * (lambda - 1)));
  }
  return rate;
}

DecentralizedConfig ring(double gamma, std::uint64_t rounds) {
  DecentralizedConfig config =
      consensus_config(mixing_matrix(ring_graph(kNodes), MixingRule::metropolis), random_vectors(kNodes, 3, 11), rounds);
  config.gamma = gamma;
  return config;
}

// The per-round contraction of the disagreement, measured between rounds 50
// and 60 (the slowest mode dominates long before: the next is at least
// (0.77)^100 ~ 1e-11 behind in the squared distance).
template <typename Algorithm>
double measured_rate(double gamma) {
  Algorithm before(ring(gamma, 50), nullptr, false);
  run_all(before, kNodes);
  Algorithm after(ring(gamma, 60), nullptr, false);
  run_all(after, kNodes);
  return std::pow(consensus_distance(models_of(after, kNodes)) / consensus_distance(models_of(before, kNodes)),
                  1.0 / (2 * 10));
}

}  // namespace

TEST_CASE("over-relaxed gossip on a ring contracts at max |1 + gamma (lambda - 1)| over its eigenvalues") {
  // 1.2: the rate comes from lambda_2 (0.766 against 0.805 for plain gossip);
  // 1.45: from lambda_min (-0.933), slower than gamma = 1 although stable.
  CHECK(predicted_rate(1.2) < predicted_rate(1.0));
  CHECK(predicted_rate(1.45) > predicted_rate(1.0));
  // Not near the best gamma (2 / (2 - lambda_2 - lambda_min) = 1.31), where two
  // modes contract almost alike and 10 rounds do not separate them.
  for (const double gamma : {0.5, 1.0, 1.2, 1.45}) {
    INFO("gamma " << gamma);
    CHECK(measured_rate<GossipSgd>(gamma) == Approx(predicted_rate(gamma)).epsilon(1e-6));
    CHECK(measured_rate<Choco>(gamma) == Approx(predicted_rate(gamma)).epsilon(1e-6));
  }
}

TEST_CASE("relaxed gossip keeps the average of the models") {
  // 1^T (I + gamma (W - I)) = 1^T for a doubly stochastic W, whatever gamma.
  const auto initial = random_vectors(kNodes, 3, 11);
  for (const double gamma : {0.5, 1.3}) {
    GossipSgd relaxed(ring(gamma, 40), nullptr, false);
    run_all(relaxed, kNodes);
    CHECK(max_abs_difference(average_model(models_of(relaxed, kNodes)), average_model(initial)) < 1e-14);
  }
}

TEST_CASE("gossip and choco-gossip refuse a gamma they cannot use") {
  CHECK_THROWS_WITH(GossipSgd(ring(0.0, 1), nullptr, false), Catch::Contains("gamma"));
  CHECK_THROWS_WITH(GossipSgd(ring(INFINITY, 1), nullptr, false), Catch::Contains("gamma"));
  CHECK_NOTHROW(Choco(ring(1.4, 1), nullptr, false));
  DecentralizedConfig compressed = ring(1.4, 1);
  compressed.compressor = make_compressor("top-k", {{"ratio", 0.5}});
  CHECK_THROWS_WITH(Choco(compressed, nullptr, false), Catch::Contains("(0, 1]"));
  compressed.gamma = 1.0;
  CHECK_NOTHROW(Choco(compressed, nullptr, false));
}
