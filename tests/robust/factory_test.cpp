#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "robust/factory.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("aggregator factory: kinds by name with declared parameters") {
  CHECK(make_aggregator("krum", {{"f", 2}})->name() == "krum(f=2)");
  CHECK(make_aggregator("multi-krum", {{"f", 1}, {"m", 3}})->name() == "multi-krum(f=1, m=3)");
  CHECK(make_aggregator("trimmed-mean", {{"beta", 0.2}})->name() == "trimmed-mean(beta=0.2)");
  CHECK(make_aggregator("trimmed-mean", {{"f", 2}})->name() == "trimmed-mean(f=2)");
  CHECK(make_aggregator("bucketing", {{"s", 2}, {"inner", "centered-clipping"}, {"inner.tau", 0.5}})->name() ==
        "bucketing(s=2, centered-clipping(tau=0.5, iterations=1))");
  CHECK(aggregator_help().find("bulyan") != std::string::npos);
}

TEST_CASE("aggregator factory: every problem is one clear message naming the parameter") {
  CHECK(error_of([] { make_aggregator("krun"); }) == "unknown aggregator 'krun' (did you mean 'krum'?)");
  CHECK(error_of([] { make_aggregator("krum", {{"g", 1}}); }) == "krum: unknown parameter 'g' (did you mean 'f'?)");
  CHECK(error_of([] { make_aggregator("krum", {{"f", -1}}); }) == "krum: parameter 'f' must be >= 0, got -1");
  CHECK(error_of([] { make_aggregator("centered-clipping", {{"tau", -1.0}}); }) ==
        "centered-clipping: parameter 'tau' must be > 0, got -1");
  CHECK(error_of([] { make_aggregator("trimmed-mean", {{"beta", 0.5}}); }) ==
        "trimmed-mean: parameter 'beta' must be in [0, 0.5), got 0.5");
  CHECK(error_of([] { make_aggregator("bucketing", {{"s", 0}}); }) == "bucketing: parameter 's' must be >= 1, got 0");
  CHECK(error_of([] { make_aggregator("bucketing", {{"inner", "krum"}, {"inner.q", 1}}); }) ==
        "krum: unknown parameter 'q' (did you mean 'f'?)");
  CHECK(error_of([] { make_aggregator("geometric-median", {{"nu", 0.0}}); }) ==
        "geometric-median: parameter 'nu' must be > 0, got 0");
}
