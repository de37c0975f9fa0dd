#include "compress/power_sgd.hpp"

#include "check.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("power-sgd: 32 r (m + n) bits, a rank-1 matrix is recovered") {
  // M = u v^T, 6 x 4, column-major.
  const std::vector<double> u = {1, 2, 3, -1, 0.5, 2}, v = {1, -2, 0.5, 3};
  std::vector<double> x(24);
  for (std::size_t j = 0; j < 4; ++j)
    for (std::size_t i = 0; i < 6; ++i) x[j * 6 + i] = u[i] * v[j];
  const PowerSgd c(6, 1);
  RandomStream rng(1, 0, 1);
  const auto m = c.compress(x, rng);
  CHECK(m.bits() == 32 * (6 + 4));
  const auto y = c.decode(m);
  CHECK(squared_distance(y, x) < 1e-10 * squared_norm(x));
  CHECK(PowerSgd(6, 2).compress(x, rng).bits() == 64 * 10);
  CHECK_THROWS_AS(PowerSgd(5, 1).compress(x, rng), std::invalid_argument);
  check_contraction(PowerSgd(10, 2), 100);
}
