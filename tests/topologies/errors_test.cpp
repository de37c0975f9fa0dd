#include "topologies/errors.hpp"

#include <catch2/catch.hpp>

#include <array>

using namespace dlsim;

TEST_CASE("nearest_match suggests plausible typos only") {
  const std::array<std::string_view, 4> names = {"ring", "torus", "hypercube", "erdos-renyi"};
  CHECK(nearest_match("rign", names) == "ring");
  CHECK(nearest_match("Torus", names) == "torus");
  CHECK(nearest_match("hypercub", names) == "hypercube");
  CHECK(nearest_match("erdos_renyi", names) == "erdos-renyi");
  CHECK(nearest_match("banana", names).empty());
}
