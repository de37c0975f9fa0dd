#include <bit>
#include <catch2/catch.hpp>
#include <cmath>

#include "helpers.hpp"
#include "robust/attacks.hpp"
#include "robust/coordinate_wise.hpp"
#include "robust/krum.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("simple attacks: sign flip, negative mean, IPM, label flip") {
  Inputs honest;
  honest.add({1.0, 2.0});
  honest.add({3.0, -2.0});
  const auto views = honest.views();
  CHECK(attack_sign_flip(views[0], 2.0) == Eigen::Vector2d(-2.0, -4.0));
  CHECK(attack_negative_mean(views, 3.0) == Eigen::Vector2d(-6.0, 0.0));
  CHECK(attack_ipm(views, 0.5) == Eigen::Vector2d(-1.0, 0.0));
  CHECK(honest_std(views) == Eigen::Vector2d(1.0, 2.0));
  CHECK(flip_label(0, 10) == 9);
  CHECK(flip_label(9, 10) == 0);
  CHECK(flip_label(1, 2) == 0);
  CHECK(error_of([] { flip_label(10, 10); }) == "label flipping: label 10 outside [0, 10)");
}

TEST_CASE("gaussian attack: deterministic per stream") {
  RandomStream a(1, 4, purpose_id("robust.attack")), b = a;
  const Eigen::VectorXd x = attack_gaussian(1000, 0.0, 2.0, a);
  CHECK(x == attack_gaussian(1000, 0.0, 2.0, b));
  CHECK(std::abs(std::sqrt(x.squaredNorm() / 1000) - 2.0) < 0.2);
}

TEST_CASE("bit flips: p = 0 is the identity, p = 1 flips every bit, same stream same flips") {
  std::vector<double> payload = {1.0, -2.5, 3e100, 0.0};
  const std::vector<double> original = payload;
  RandomStream rng(5, 0, purpose_id("robust.bitflip"));
  flip_bits(payload, 0.0, rng);
  CHECK(payload == original);
  CHECK(rng.position() == 0);
  flip_bits(payload, 1.0, rng);
  for (std::size_t i = 0; i < payload.size(); ++i)
    CHECK(std::bit_cast<std::uint64_t>(payload[i]) == ~std::bit_cast<std::uint64_t>(original[i]));
  std::vector<double> a(1000, 1.0), b(1000, 1.0);
  RandomStream sa(7, 0, purpose_id("robust.bitflip")), sb = sa;
  flip_bits(a, 0.01, sa);
  flip_bits(b, 0.01, sb);
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
  std::size_t flipped = 0;
  for (double v : a) flipped += std::size_t(std::popcount(std::bit_cast<std::uint64_t>(v) ^ std::bit_cast<std::uint64_t>(1.0)));
  CHECK(flipped > 500);  // expected 640 of 64000 bits
  CHECK(flipped < 800);
}

TEST_CASE("ALIE: z from n and f as in Baruch et al. 2019") {
  // s = floor(n/2 + 1) - f, z = Phi^{-1}((n - s)/n), checked against known normal quantiles.
  CHECK(alie_z(10, 1) == Approx(0.0).margin(1e-12));                 // s = 5: Phi^{-1}(0.5)
  CHECK(alie_z(20, 6) == Approx(0.6744897501960817).epsilon(1e-12));  // s = 5: Phi^{-1}(0.75)
  CHECK(alie_z(50, 12) == Approx(0.5828415072712162).epsilon(1e-12)); // s = 14: Phi^{-1}(0.72)
  CHECK(alie_z(100, 20) == Approx(0.49585034734745304).epsilon(1e-12));  // s = 31: Phi^{-1}(0.69)
  CHECK(normal_quantile(0.975) == Approx(1.959963984540054).epsilon(1e-13));
  CHECK(normal_quantile(0.001) == Approx(-3.090232306167814).epsilon(1e-12));
  Inputs honest;
  honest.add({1.0, 0.0});
  honest.add({3.0, 4.0});
  CHECK(attack_alie(honest.views(), 1.5) == Eigen::Vector2d(2.0 - 1.5, 2.0 - 3.0));
  CHECK(error_of([] { alie_z(10, 10); }) == "alie: needs f < n (n = 10, f = 10)");
}

TEST_CASE("min-max and min-sum keep the malicious vector within the honest bounds") {
  const Inputs honest = gaussian_inputs(10, 20, 1.0, 31);
  const auto views = honest.views();
  const auto distances = robust_detail::pairwise_squared_distances(views);
  for (auto direction : {PerturbationDirection::inverse_std, PerturbationDirection::inverse_unit_mean,
                         PerturbationDirection::inverse_sign}) {
    const auto min_max = attack_min_max(views, MinMaxObjective::min_max, direction);
    const auto min_sum = attack_min_max(views, MinMaxObjective::min_sum, direction);
    double max_distance = 0.0, sum_distance = 0.0;
    for (const auto& x : views) {
      max_distance = std::max(max_distance, robust_detail::squared_distance({min_max.vector.data(), 20}, x));
      sum_distance += robust_detail::squared_distance({min_sum.vector.data(), 20}, x);
    }
    CHECK(max_distance <= distances.maxCoeff());
    CHECK(sum_distance <= distances.rowwise().sum().maxCoeff());
    CHECK(min_max.gamma > 0.0);  // the search moved away from the mean
    CHECK(min_sum.gamma > 0.0);
    // ... and to the edge: a little more would break the bound.
    const Eigen::VectorXd unit_step = (min_max.vector - honest_mean(views)) / min_max.gamma;
    const Eigen::VectorXd beyond = honest_mean(views) + (min_max.gamma + 1e-2) * unit_step;
    double beyond_distance = 0.0;
    for (const auto& x : views) beyond_distance = std::max(beyond_distance, robust_detail::squared_distance({beyond.data(), 20}, x));
    CHECK(beyond_distance > distances.maxCoeff());
  }
}

TEST_CASE("mimic copies the honest vector furthest along the top principal direction") {
  Inputs honest;  // spread along (1, 0): the extreme one is index 2
  honest.add({0.0, 0.1});
  honest.add({1.0, -0.1});
  honest.add({-5.0, 0.0});
  honest.add({2.0, 0.05});
  CHECK(mimic_target(honest.views()) == 2);
  CHECK(attack_mimic(honest.views()) == Eigen::Vector2d(-5.0, 0.0));
  Inputs along_y;  // the largest-norm deviation is along x but the variance is along y
  along_y.add({3.0, 0.0});
  for (double y : {4.0, -4.0, 3.5, -3.5}) along_y.add({0.0, y});
  CHECK(std::abs(along_y.vectors[mimic_target(along_y.views())][1]) == 4.0);
}

TEST_CASE("dissensus pushes the target away from its honest neighbours") {
  const std::vector<double> target = {0.0, 0.0};
  Inputs neighbours;
  neighbours.add({1.0, 0.0});
  neighbours.add({0.0, 2.0});
  const double weights[] = {0.25, 0.25};
  const Eigen::VectorXd sent = attack_dissensus(target, neighbours.views(), weights, 0.5, 1.0);
  CHECK(sent == Eigen::Vector2d(-0.5, -1.0));
  // With epsilon = 1 the gossip step at the target cancels: sum_j w_ij (x_j - x_i) + w_byz (sent - x_i) = 0.
  const Eigen::Vector2d step = 0.25 * Eigen::Vector2d(1.0, 0.0) + 0.25 * Eigen::Vector2d(0.0, 2.0) + 0.5 * sent;
  CHECK(step.norm() < 1e-15);
  CHECK(error_of([&] { attack_dissensus(target, neighbours.views(), weights, 0.0, 1.0); }) ==
        "dissensus: the Byzantine weight must be > 0, got 0");
}

TEST_CASE("ALIE moves the coordinate median towards mean - z std") {
  // Sanity check of the attack directions, not of a defence: with f = 4 ALIE
  // vectors among 10 honest ones the coordinate median moves towards mean - z std.
  const Inputs honest = gaussian_inputs(10, 50, 0.0, 41);
  const auto views = honest.views();
  const Eigen::VectorXd alie = attack_alie(views, alie_z(14, 4));
  Inputs all = honest;
  for (int i = 0; i < 4; ++i) all.add(std::vector<double>(alie.data(), alie.data() + alie.size()));
  const Eigen::VectorXd clean = CoordinateMedian().aggregate(views);
  const Eigen::VectorXd attacked = CoordinateMedian().aggregate(all.views());
  const Eigen::VectorXd shift = alie - honest_mean(views);
  CHECK((attacked - clean).dot(shift) > 0.0);
}
