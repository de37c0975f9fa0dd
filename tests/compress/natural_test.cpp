#include "compress/natural.hpp"

#include "check.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("natural compression: powers of two, 9 bits per value") {
  const NaturalCompression c;
  RandomStream rng(1, 0, 1);
  const std::vector<double> x = {0.0, 1.0, -3.0, 0.75, 1e-40};
  const auto m = c.compress(x, rng);
  CHECK(m.bits() == 45);
  const auto y = c.decode(m);
  CHECK(y[0] == 0.0);
  CHECK(y[1] == 1.0);  // already a power of two
  CHECK((y[2] == -2.0 || y[2] == -4.0));
  CHECK((y[3] == 0.5 || y[3] == 1.0));
  check_unbiased(c, 20);
  check_contraction(c, 100);
}
