#include "compress/qsgd.hpp"

#include "check.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("qsgd: wire sizes by hand") {
  RandomStream rng(1, 0, 1);
  // x = (3, -4): norm 5, s = 1: y = (0.6, 0.8); levels are 0 or 1.
  const std::vector<double> x = {3.0, -4.0};
  const Qsgd naive(1);
  const auto m = naive.compress(x, rng);
  CHECK(m.bits() == 32 + 2 * (1 + 1));  // ceil(log2(s + 1)) = 1
  CHECK(Qsgd(16).compress(x, rng).bits() == 32 + 2 * (1 + 5));
  // Elias: a zero level costs gamma(1) = 1 bit, a level 1 costs gamma(2) = 3 bits + 1 sign bit.
  const Qsgd elias(1, Qsgd::Coding::elias);
  const auto e = elias.compress(x, rng);
  std::uint64_t expected = 32;
  for (auto level : e.levels) expected += level == 0 ? 1 : 4;
  CHECK(e.bits() == expected);
  const auto y = elias.decode(e);
  for (std::size_t i = 0; i < 2; ++i) CHECK(y[i] == 5.0 * e.levels[i]);
}

TEST_CASE("qsgd: unbiased, variance within omega = min(d/s^2, sqrt(d)/s)") {
  check_unbiased(Qsgd(4), 30);
  check_contraction(Qsgd(4), 100, 300);
  check_contraction(Qsgd(1), 16, 300);
  CHECK(Qsgd(4).traits(100).delta == Approx(1 - 100.0 / 16 < 1 - 10.0 / 4 ? 1 - 10.0 / 4 : 1 - 100.0 / 16));
}
