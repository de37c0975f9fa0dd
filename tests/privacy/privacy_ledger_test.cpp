#include "privacy/privacy_ledger.hpp"

#include <catch2/catch.hpp>

using namespace dlsim;

TEST_CASE("The ledger reports the worst node: largest rate, most steps", "[privacy][ledger]") {
  PrivacyLedger ledger({0.01, 0.05, 0.02}, 1.2, 1e-5);
  CHECK(ledger.max_steps() == 0);
  CHECK(ledger.spent().epsilon == 0.0);
  ledger.record_steps(0, 500);
  ledger.record_steps(1, 100);
  ledger.record_steps(2);
  CHECK(ledger.max_steps() == 500);
  CHECK(ledger.largest_sampling_rate() == 0.05);
  // eps(max q, sigma, max steps) bounds every node's own epsilon.
  const double worst = ledger.spent().epsilon;
  CHECK(worst == Approx(sampled_gaussian_epsilon(0.05, 1.2, 500, 1e-5)).epsilon(1e-12));
  CHECK(worst >= sampled_gaussian_epsilon(0.01, 1.2, 500, 1e-5));
  CHECK(worst >= sampled_gaussian_epsilon(0.05, 1.2, 100, 1e-5));
  CHECK(ledger.spent_after(1000).epsilon > worst);
  ledger.reset();
  CHECK(ledger.max_steps() == 0);
  CHECK_THROWS(PrivacyLedger({0.1}, 0.0, 1e-5));
  CHECK_THROWS(PrivacyLedger({0.1}, 1.0, 1.0));
  CHECK_THROWS(PrivacyLedger({1.5}, 1.0, 1e-5));
}
