// exp of a batch: the AVX2 kernel gives the portable loop's bits, both within
// 2 ulp of the C library's exp, with the edge cases of exp itself.
#include "models/detail/batch_exp.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "sim/random.hpp"

using namespace dlsim;

namespace {

// Distance in units in the last place (of the larger magnitude), for positive finite values.
double ulps(double a, double b) {
  if (a == b) return 0;
  const double larger = std::max(std::fabs(a), std::fabs(b));
  const double ulp = std::nextafter(larger, std::numeric_limits<double>::infinity()) - larger;
  return std::fabs(a - b) / ulp;
}

}  // namespace

TEST_CASE("batch exp, the kernel gives the portable loop's bits, within 2 ulp of std::exp") {
  RandomStream rng(5, 0, purpose_id("test.batch_exp"));
  std::vector<double> values;
  // Across the whole range, densely near 0 (where the logistic model lives),
  // around the subnormal results and the overflow.
  for (int j = 0; j < 20000; ++j) values.push_back(rng.uniform(-750.0, 712.0));
  for (int j = 0; j < 20000; ++j) values.push_back(rng.uniform(-40.0, 1.0));
  for (int j = 0; j < 2000; ++j) values.push_back(rng.uniform(-746.0, -700.0));
  for (double edge : {0.0, -0.0, 1e-300, -1e-300, 1.0, -1.0, 0.5 * std::log(2.0), -0.5 * std::log(2.0),
                      std::log(2.0), -708.3964185322641, -708.4, -745.1332191019411, -745.2, -746.0, -800.0,
                      709.782712893384, 709.79, 710.0, 1e308})
    values.push_back(edge);
  std::vector<double> kernel = values, portable = values;
  detail::batch_exp(kernel);  // lengths not a multiple of four too: the last ones take the loop
  detail::portable_batch_exp(portable);
  CHECK(std::memcmp(kernel.data(), portable.data(), kernel.size() * sizeof(double)) == 0);
  double worst = 0;
  for (std::size_t j = 0; j < values.size(); ++j) {
    const double expected = std::exp(values[j]);
    INFO("exp(" << values[j] << ") = " << expected << ", got " << kernel[j]);
    if (std::isinf(expected)) {
      CHECK(kernel[j] == expected);
      continue;
    }
    if (expected < std::numeric_limits<double>::min()) {
      // Subnormal results: within one subnormal step of the C library's.
      CHECK(std::fabs(kernel[j] - expected) <= std::numeric_limits<double>::denorm_min());
      continue;
    }
    worst = std::max(worst, ulps(kernel[j], expected));
    CHECK(ulps(kernel[j], expected) <= 2.0);
  }
  WARN("largest error against std::exp: " << worst << " ulp");
}

TEST_CASE("batch exp of exact and special values") {
  std::vector<double> values{0.0, -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN(), -1000.0, 1000.0, 1.0};
  detail::batch_exp(values);
  CHECK(values[0] == 1.0);
  CHECK(values[1] == 0.0);
  CHECK(std::isinf(values[2]));
  CHECK(std::isnan(values[3]));
  CHECK(values[4] == 0.0);
  CHECK(std::isinf(values[5]));
  CHECK(values[6] == Approx(2.718281828459045).epsilon(1e-15));
}
