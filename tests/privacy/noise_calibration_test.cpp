#include "privacy/noise_calibration.hpp"

#include <catch2/catch.hpp>

#include "privacy/renyi_accountant.hpp"

using namespace dlsim;

TEST_CASE("The noise multiplier found spends the target epsilon and no more", "[privacy][calibration]") {
  // The TF Privacy MNIST setting: sigma 1.1 for 60 epochs spends 2.5966 (improved conversion).
  const double q = 256.0 / 60000.0;
  const std::uint64_t steps = 60 * 60000 / 256;
  const double target = sampled_gaussian_epsilon(q, 1.1, steps, 1e-5);
  const auto sigma = find_noise_multiplier(target, 1e-5, q, steps);
  REQUIRE(sigma.has_value());
  CHECK(*sigma == Approx(1.1).epsilon(1e-4));
  CHECK(sampled_gaussian_epsilon(q, *sigma, steps, 1e-5) <= target);
  CHECK(sampled_gaussian_epsilon(q, *sigma * (1 - 1e-5), steps, 1e-5) > target);

  // A larger budget needs less noise.
  const auto looser = find_noise_multiplier(2 * target, 1e-5, q, steps);
  REQUIRE(looser.has_value());
  CHECK(*looser < *sigma);
}

TEST_CASE("A target no noise multiplier up to the bound reaches is refused", "[privacy][calibration]") {
  CHECK_FALSE(find_noise_multiplier(0.01, 1e-5, 1.0, 1000, 10.0).has_value());
  CHECK(find_noise_multiplier(0.5, 1e-5, 1.0, 1, 10.0).has_value());
  CHECK_THROWS(find_noise_multiplier(0.0, 1e-5, 0.1, 10));
  CHECK_THROWS(find_noise_multiplier(1.0, 1.0, 0.1, 10));
  CHECK_THROWS(find_noise_multiplier(1.0, 1e-5, 0.0, 10));
}
