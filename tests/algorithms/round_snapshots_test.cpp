// RoundSnapshots: which rounds are wanted and evaluated, and the averaged
// iterates it keeps with averaging on.
#include "algorithms/round_snapshots.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace dlsim;

TEST_CASE("without averaging only the evaluated rounds are wanted, and snapshots carry no averages") {
  RoundSnapshots snapshots(2, 5, 12);
  CHECK(snapshots.wanted(0));
  CHECK_FALSE(snapshots.wanted(3));
  CHECK(snapshots.wanted(10));
  CHECK(snapshots.wanted(12));
  const std::vector<double> x{1.0, 2.0};
  CHECK_FALSE(snapshots.contribute(0, 5, 7, x));
  CHECK(snapshots.contribute(1, 5, 9, x));
  const auto snapshot = snapshots.take_ready();
  REQUIRE(snapshot);
  CHECK(snapshot->round == 5);
  CHECK(snapshot->completed_at == 9);
  CHECK(snapshot->averaged_models.empty());
}

TEST_CASE("with averaging every round is wanted and a snapshot holds each node's mean of rounds 0..t") {
  // Node 0's model at round s is (s, 2s), node 1's is (1, -s): their averages
  // over s = 0..t are (t/2, t) and (1, -t/2), exact in binary for these t.
  RoundSnapshots snapshots(2, 4, 6, true);
  for (std::uint64_t round = 0; round <= 6; ++round) {
    CHECK(snapshots.wanted(round));
    const double s = static_cast<double>(round);
    const bool first = snapshots.contribute(0, round, 0, std::vector<double>{s, 2 * s});
    const bool complete = snapshots.contribute(1, round, 0, std::vector<double>{1, -s});
    CHECK_FALSE(first);
    CHECK(complete == snapshots.evaluated(round));  // 0, 4 and the last round, 6
  }
  for (const std::uint64_t round : {0u, 4u, 6u}) {
    const auto snapshot = snapshots.take_ready();
    REQUIRE(snapshot);
    CHECK(snapshot->round == round);
    const double t = static_cast<double>(round);
    CHECK(snapshot->models[0] == std::vector<double>{t, 2 * t});
    REQUIRE(snapshot->averaged_models.size() == 2);
    CHECK(snapshot->averaged_models[0] == std::vector<double>{t / 2, t});
    CHECK(snapshot->averaged_models[1] == std::vector<double>{1, -t / 2});
  }
  CHECK_FALSE(snapshots.take_ready());
}
