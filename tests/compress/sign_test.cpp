#include "compress/sign.hpp"

#include "check.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("scaled sign: d + 32 bits, reconstruction +-||x||_1/d, exact error ||x||^2 - ||x||_1^2/d") {
  const ScaledSign c;
  RandomStream rng(1, 0, 1);
  std::vector<double> x(100);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = (i % 3 == 0 ? -1.0 : 1.0) * double(i % 7);  // includes zeros
  const auto m = c.compress(x, rng);
  CHECK(m.bits() == 132);
  double l1 = 0.0;
  for (double v : x) l1 += std::abs(v);
  const auto y = c.decode(m);
  for (std::size_t i = 0; i < x.size(); ++i)
    CHECK(y[i] == (x[i] < 0 ? -1.0 : 1.0) * double(float(l1 / 100)));
  CHECK(squared_distance(y, x) == Approx(squared_norm(x) - l1 * l1 / 100).epsilon(1e-6));
  check_contraction(c, 65);  // not a multiple of 64: a partial sign word
}
