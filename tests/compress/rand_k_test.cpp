#include "compress/rand_k.hpp"

#include <set>

#include "check.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("rand-k: k distinct ascending indices, wire size with and without a shared seed") {
  std::vector<double> x(1000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = double(i) + 1;
  RandomStream rng(1, 0, 1);
  const RandK c(20, 0.0, false, false, IndexCoding::log2d);
  const auto m = c.compress(x, rng);
  REQUIRE(m.indices.size() == 20);
  CHECK(std::set<std::uint32_t>(m.indices.begin(), m.indices.end()).size() == 20);
  CHECK(std::is_sorted(m.indices.begin(), m.indices.end()));
  CHECK(m.bits() == 20 * (32 + 10));
  const auto y = c.decode(m);
  for (std::size_t j = 0; j < 20; ++j) CHECK(y[m.indices[j]] == x[m.indices[j]]);
  CHECK(RandK(20, 0.0, false, true).compress(x, rng).bits() == 20 * 32);
  // Scaled: reconstruction multiplies by d/k = 50.
  const RandK scaled(20, 0.0, true);
  const auto ms = scaled.compress(x, rng);
  CHECK(scaled.decode(ms)[ms.indices[0]] == 50.0 * x[ms.indices[0]]);
}

TEST_CASE("rand-k: contraction k/d unscaled, unbiased when scaled") {
  check_contraction(RandK(0, 0.1), 100, 500);
  check_contraction(RandK(0, 0.5, true), 50, 500);  // 1 - delta = d/k - 1 = 1
  check_unbiased(RandK(0, 0.25, true), 40);
  CHECK(RandK(0, 0.1).traits(100).delta == Approx(0.1));
  CHECK_FALSE(RandK(0, 0.1).traits(100).unbiased);
}
