#include "compress/identity.hpp"

#include "check.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("identity: 32 bits per value, reconstruction float(x)") {
  const Identity c;
  RandomStream rng(1, 0, 1);
  const std::vector<double> x = {0.1, -2.5, 1e-3};
  const auto m = c.compress(x, rng);
  CHECK(m.bits() == 96);
  const auto y = c.decode(m);
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(y[i] == double(float(x[i])));
  check_contraction(c, 100);
}
