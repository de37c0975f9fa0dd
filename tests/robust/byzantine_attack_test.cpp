// Attacks by name (robust/byzantine_attack.hpp): names, and each kind's vector
// against the attack function it stands for.
#include <catch2/catch.hpp>

#include <vector>

#include "robust/attacks.hpp"
#include "robust/byzantine_attack.hpp"

using namespace dlsim;

TEST_CASE("attacks by name: every name reads back, unknown names list the kinds") {
  for (std::string_view name : attack_names()) CHECK(attack_name(parse_attack(name)) == name);
  try {
    parse_attack("sabotage");
    FAIL("accepted");
  } catch (const std::invalid_argument& error) {
    CHECK_THAT(error.what(), Catch::Contains("sabotage") && Catch::Contains("dissensus"));
  }
  CHECK(attack_uses_honest(AttackKind::alie));
  CHECK(!attack_uses_honest(AttackKind::sign_flip));
  CHECK(attack_is_random(AttackKind::bit_flip));
}

TEST_CASE("byzantine_vector is the named attack on the vectors given") {
  const std::vector<double> own{1.0, -2.0}, a{1.0, 3.0}, b{3.0, 5.0};
  const std::vector<VectorView> honest{a, b};
  RandomStream rng(1, 0, 1);
  AttackConfig attack;
  attack.kind = AttackKind::sign_flip;
  attack.scale = 3.0;
  CHECK(byzantine_vector(attack, own, honest, rng) == Eigen::Vector2d(-3.0, 6.0));
  attack.kind = AttackKind::ipm;
  attack.epsilon = 0.5;
  CHECK(byzantine_vector(attack, own, honest, rng) == Eigen::Vector2d(-1.0, -2.0));  // -0.5 * (2, 4)
  attack.kind = AttackKind::alie;
  attack.z = 1.0;
  CHECK(byzantine_vector(attack, own, honest, rng) == Eigen::Vector2d(1.0, 3.0));  // mean (2, 4) - std (1, 1)
  attack.kind = AttackKind::bit_flip;
  attack.probability = 0.0;
  CHECK(byzantine_vector(attack, own, honest, rng) == Eigen::Vector2d(1.0, -2.0));
  attack.kind = AttackKind::dissensus;
  CHECK_THROWS_AS(byzantine_vector(attack, own, honest, rng), std::logic_error);
  CHECK(describe_attack(attack) == "dissensus(epsilon=0.5, omniscient)");
}
