#include "compress/error_feedback.hpp"

#include <catch2/catch.hpp>

#include "compress/identity.hpp"
#include "compress/sign.hpp"
#include "compress/top_k.hpp"
#include "models/nonsmooth.hpp"
#include "sim/random.hpp"

using namespace dlsim;

TEST_CASE("error feedback keeps p - C(p) as memory") {
  ErrorFeedback ef(std::make_shared<TopK>(1, 0.0), 3);
  RandomStream rng(1, 0, 1);
  CompressedMessage m;
  const std::vector<double> v = {1.0, 2.0, 0.5};
  ef.compress(v, rng, m);
  CHECK(std::vector<double>(ef.decoded().begin(), ef.decoded().end()) == std::vector<double>{0, 2, 0});
  CHECK(std::vector<double>(ef.memory().begin(), ef.memory().end()) == std::vector<double>{1, 0, 0.5});
  ef.compress(v, rng, m);  // p = (2, 2, 1): tie, lower index wins
  CHECK(std::vector<double>(ef.decoded().begin(), ef.decoded().end()) == std::vector<double>{2, 0, 0});
  CHECK(std::vector<double>(ef.memory().begin(), ef.memory().end()) == std::vector<double>{0, 2, 1});
}

// Karimireddy et al., ICML 2019: on f(x) = |x1 + x2| + 2|x1 - x2| the sign of
// every subgradient off the diagonal is +-(1, -1), so sign-SGD never moves
// x1 + x2; error feedback accumulates what the sign dropped and gets there.
TEST_CASE("error feedback + scaled sign solves the nonsmooth example, sign-SGD stalls") {
  const NonsmoothExample f;
  const Dataset none;
  auto ws = f.make_workspace();
  const auto sign = std::make_shared<ScaledSign>();
  RandomStream rng(1, 0, 1);
  std::vector<double> plain = {1.0, 0.3}, with_ef = plain, g(2), step(2);
  ErrorFeedback ef(sign, 2);
  CompressedMessage m;
  const int steps = 50000;
  for (int t = 0; t < steps; ++t) {
    // Steps sum to about 2.2: each coordinate needs to travel only 0.65 from (1, 0.3).
    const double gamma = 0.005 / std::sqrt(double(t + 1));;
    f.loss_and_gradient(plain, none, {}, g, *ws);
    // Plain sign-SGD: x -= gamma * sign(g) (g has no zero component here).
    for (int i = 0; i < 2; ++i) plain[i] -= gamma * (g[i] > 0 ? 1.0 : -1.0);
    f.loss_and_gradient(with_ef, none, {}, g, *ws);
    for (int i = 0; i < 2; ++i) step[i] = gamma * g[i];
    ef.compress(step, rng, m);
    for (int i = 0; i < 2; ++i) with_ef[i] -= ef.decoded()[i];
  }
  const double f_plain = f.loss(plain, none, {}, *ws);
  const double f_ef = f.loss(with_ef, none, {}, *ws);
  INFO("sign-SGD f = " << f_plain << ", EF-sign f = " << f_ef);
  CHECK(f_ef < 1e-3);
  CHECK(f_plain > 1.0);  // stuck at |x1 + x2| = 1.3
  CHECK(std::abs(plain[0] + plain[1] - 1.3) < 1e-9);
}
