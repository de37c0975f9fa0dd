#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "helpers.hpp"
#include "robust/bucketing.hpp"
#include "robust/bulyan.hpp"
#include "robust/clipping.hpp"
#include "robust/coordinate_wise.hpp"
#include "robust/factory.hpp"
#include "robust/geometric_median.hpp"
#include "robust/krum.hpp"
#include "robust/mean.hpp"

using namespace dlsim;
using namespace dlsim::testing;

namespace {

double max_abs_difference(const Eigen::VectorXd& a, const Eigen::VectorXd& b) { return (a - b).cwiseAbs().maxCoeff(); }

Eigen::VectorXd mean_of(const Inputs& inputs) { return MeanAggregator().aggregate(inputs.views()); }

}  // namespace

TEST_CASE("mean: plain and weighted") {
  Inputs inputs;
  inputs.add({1.0, 2.0});
  inputs.add({3.0, 6.0});
  const auto views = inputs.views();
  CHECK(MeanAggregator().aggregate(views) == Eigen::Vector2d(2.0, 4.0));
  const double weights[] = {3.0, 1.0};
  CHECK(MeanAggregator().aggregate(views, {weights}) == Eigen::Vector2d(1.5, 3.0));
}

TEST_CASE("no attackers: symmetric data gives the mean for the symmetric aggregators") {
  const Inputs inputs = symmetric_inputs(5, 8, 1);  // n = 10, symmetric about 3 per coordinate
  const Eigen::VectorXd mean = mean_of(inputs);
  for (const char* kind : {"median", "trimmed-mean", "geometric-median"}) {
    INFO(kind);
    const auto aggregator = make_aggregator(kind, {});
    CHECK(max_abs_difference(aggregator->aggregate(inputs.views()), mean) < 1e-9);
  }
  CHECK(max_abs_difference(TrimmedMean(2, 0.0).aggregate(inputs.views()), mean) < 1e-12);
}

TEST_CASE("no attackers: identical inputs are returned by every aggregator") {
  Inputs inputs;
  for (int i = 0; i < 11; ++i) inputs.add({1.5, -2.0, 0.25});
  RandomStream rng(1, 0, purpose_id("test.bucketing"));
  for (const auto& kind : aggregator_kinds()) {
    INFO(kind.name);
    ParamMap params;
    if (kind.name == "krum" || kind.name == "multi-krum" || kind.name == "bulyan") params = {{"f", 2}};
    if (kind.name == "centered-clipping") params = {{"tau", 100.0}};
    if (kind.name == "norm-clipping") params = {{"tau", 100.0}};
    const auto aggregator = make_aggregator(kind.name, params);
    CHECK(max_abs_difference(aggregator->aggregate(inputs.views(), {{}, {}, &rng}), Eigen::Vector3d(1.5, -2.0, 0.25)) <
          1e-12);
  }
}

TEST_CASE("no attackers: every aggregator stays near the mean of Gaussian inputs") {
  const Inputs inputs = gaussian_inputs(15, 4, 2.0, 7);
  const Eigen::VectorXd mean = mean_of(inputs);
  RandomStream rng(1, 0, purpose_id("test.bucketing"));
  for (const auto& kind : aggregator_kinds()) {
    INFO(kind.name);
    ParamMap params;
    if (kind.name == "krum" || kind.name == "multi-krum" || kind.name == "bulyan") params = {{"f", 3}};
    if (kind.name == "centered-clipping" || kind.name == "norm-clipping") params = {{"tau", 1e6}};
    const auto out = make_aggregator(kind.name, params)->aggregate(inputs.views(), {{}, {}, &rng});
    CHECK(max_abs_difference(out, mean) < 1.5);  // within the spread of the honest inputs (std 1)
  }
}

TEST_CASE("Krum picks an honest input when f attackers send huge values") {
  Inputs inputs = gaussian_inputs(7, 5, 0.0, 3);
  for (int i = 0; i < 2; ++i) inputs.add(std::vector<double>(5, 1e9 * (i + 1)));
  const Krum krum(2, 1);
  const auto chosen = krum.selected(inputs.views());
  REQUIRE(chosen.size() == 1);
  CHECK(chosen[0] < 7);
  const Eigen::VectorXd out = krum.aggregate(inputs.views());
  CHECK(out == robust_detail::as_eigen(inputs.views()[chosen[0]]));
  // Multi-Krum with m = n - f averages exactly the honest inputs.
  const auto multi = Krum(2, 0).selected(inputs.views());
  CHECK(multi == std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6});
}

TEST_CASE("median and trimmed mean ignore f < n/2 huge values exactly") {
  const std::vector<double> honest = {0.5, -1.0, 2.0};
  for (std::size_t f = 1; f <= 4; ++f) {
    Inputs inputs;
    for (std::size_t i = 0; i < 5; ++i) inputs.add(honest);
    for (std::size_t i = 0; i < f; ++i) inputs.add({1e300, -1e300, double(i % 2 ? 1e300 : -1e300)});
    INFO("f = " << f);
    const Eigen::Vector3d expected(0.5, -1.0, 2.0);
    CHECK(CoordinateMedian().aggregate(inputs.views()) == expected);
    CHECK(TrimmedMean(std::int64_t(f), 0.0).aggregate(inputs.views()) == expected);
  }
  // Different honest values: the result stays within their range per coordinate.
  Inputs inputs = gaussian_inputs(6, 10, 0.0, 5);
  const Inputs honest_only = inputs;
  for (int i = 0; i < 5; ++i) inputs.add(std::vector<double>(10, 1e12));
  for (const Eigen::VectorXd& out :
       {Eigen::VectorXd(CoordinateMedian().aggregate(inputs.views())), Eigen::VectorXd(TrimmedMean(5, 0.0).aggregate(inputs.views()))}) {
    for (std::size_t k = 0; k < 10; ++k) {
      double low = INFINITY, high = -INFINITY;
      for (const auto& v : honest_only.vectors) low = std::min(low, v[k]), high = std::max(high, v[k]);
      CHECK(out[Eigen::Index(k)] >= low);
      CHECK(out[Eigen::Index(k)] <= high);
    }
  }
}

TEST_CASE("centered clipping with tau = infinity is the mean, and clipping bounds an attacker") {
  const Inputs inputs = gaussian_inputs(9, 6, 1.0, 11);
  const double centre[] = {5, 5, 5, 5, 5, 5};
  const CenteredClipping unclipped(std::numeric_limits<double>::infinity(), 1);
  CHECK(max_abs_difference(unclipped.aggregate(inputs.views(), {{}, centre}), mean_of(inputs)) < 1e-12);
  CHECK(max_abs_difference(unclipped.aggregate(inputs.views()), mean_of(inputs)) < 1e-12);
  Inputs attacked = inputs;
  attacked.add(std::vector<double>(6, 1e9));
  const Eigen::VectorXd clipped = CenteredClipping(1.0, 3).aggregate(attacked.views(), {{}, centre});
  CHECK((clipped - Eigen::VectorXd::Constant(6, 5.0)).norm() <= 3.0 + 1e-9);  // each step moves at most tau
  const Eigen::VectorXd norm_clipped = NormClipping(1.0).aggregate(attacked.views());
  CHECK(norm_clipped.norm() <= 1.0 + 1e-12);
}

TEST_CASE("bucketing with s = 1 is the plain aggregator, and larger s is deterministic per stream") {
  const Inputs inputs = gaussian_inputs(12, 5, 0.0, 13);
  for (const char* inner : {"median", "krum", "trimmed-mean", "geometric-median"}) {
    INFO(inner);
    ParamMap inner_params;
    if (std::string(inner) == "krum") inner_params = {{"f", 2}};
    ParamMap params = {{"s", 1}, {"inner", std::string(inner)}};
    for (const auto& [key, value] : inner_params) params.emplace("inner." + key, value);
    const auto bucketing = make_aggregator("bucketing", params);
    CHECK(bucketing->aggregate(inputs.views()) == make_aggregator(inner, inner_params)->aggregate(inputs.views()));
  }
  const auto bucketing = make_aggregator("bucketing", {{"s", 3}, {"inner", "median"}});
  RandomStream a(9, 2, purpose_id("robust.bucketing")), b = a, c(10, 2, purpose_id("robust.bucketing"));
  const Eigen::VectorXd first = bucketing->aggregate(inputs.views(), {{}, {}, &a});
  CHECK(first == bucketing->aggregate(inputs.views(), {{}, {}, &b}));
  CHECK(first != bucketing->aggregate(inputs.views(), {{}, {}, &c}));
  CHECK(a.position() > 0);
  CHECK(error_of([&] { bucketing->aggregate(inputs.views()); }) == "bucketing: needs a random stream for its permutation");
}

TEST_CASE("geometric median: collinear points and closed forms") {
  Inputs collinear;  // on the line (1, 2) t, t = 0, 1, 10: the median is t = 1
  for (double t : {0.0, 10.0, 1.0}) collinear.add({t, 2 * t});
  const GeometricMedian median(1e-9, 1000, 0.0);
  CHECK(max_abs_difference(median.aggregate(collinear.views()), Eigen::Vector2d(1.0, 2.0)) < 1e-6);
  Inputs triangle;  // equilateral: the centroid
  triangle.add({0.0, 0.0});
  triangle.add({2.0, 0.0});
  triangle.add({1.0, std::sqrt(3.0)});
  CHECK(max_abs_difference(median.aggregate(triangle.views()), Eigen::Vector2d(1.0, std::sqrt(3.0) / 3)) < 1e-9);
  Inputs square;  // four corners: the centre; a fifth far point does not move it beyond a bounded amount
  for (auto [x, y] : {std::pair{0.0, 0.0}, {1.0, 0.0}, {0.0, 1.0}, {1.0, 1.0}}) square.add({x, y});
  CHECK(max_abs_difference(median.aggregate(square.views()), Eigen::Vector2d(0.5, 0.5)) < 1e-9);
  square.add({1e9, 1e9});
  CHECK(median.aggregate(square.views()).norm() < 3.0);
}

TEST_CASE("Krum and Bulyan refuse too many attackers and say why") {
  const Inputs inputs = gaussian_inputs(6, 2, 0.0, 1);
  CHECK(error_of([&] { Krum(2, 1).aggregate(inputs.views()); }) ==
        "krum: needs n > 2f + 2 (n = 6, f = 2): otherwise an honest input's n - f - 2 nearest neighbours may be mostly "
        "attackers (Blanchard et al. 2017)");
  CHECK_NOTHROW(Krum(1, 1).aggregate(inputs.views()));
  CHECK(error_of([&] { Bulyan(1).aggregate(inputs.views()); }) ==
        "bulyan: needs n >= 4f + 3 (n = 6, f = 1): its Krum selection of n - 2f inputs must leave n - 4f >= 3 values "
        "per coordinate to trim around the median (El Mhamdi et al. 2018)");
  CHECK(error_of([&] { TrimmedMean(3, 0.0).aggregate(inputs.views()); }) ==
        "trimmed-mean: needs n > 2f (n = 6, f = 3): trimming f values on each side must leave at least one");
  CHECK(error_of([&] { make_aggregator("bucketing", {{"s", 2}, {"inner", "krum"}, {"inner.f", 1}})->check_inputs(8); }) ==
        "bucketing(s=2) makes 4 buckets of 8 inputs: krum: needs n > 2f + 2 (n = 4, f = 1): otherwise an honest "
        "input's n - f - 2 nearest neighbours may be mostly attackers (Blanchard et al. 2017)");
}

TEST_CASE("Bulyan ignores f attackers sending huge values") {
  Inputs inputs = gaussian_inputs(9, 4, 0.0, 17);
  const Inputs honest = inputs;
  for (int i = 0; i < 2; ++i) inputs.add(std::vector<double>(4, 1e10));
  const Eigen::VectorXd out = Bulyan(2).aggregate(inputs.views());  // n = 11 = 4f + 3
  CHECK(max_abs_difference(out, mean_of(honest)) < 1.5);
}

TEST_CASE("aggregators are deterministic: the same inputs give bit-identical outputs") {
  const Inputs inputs = gaussian_inputs(13, 7, 0.0, 23);
  for (const auto& kind : aggregator_kinds()) {
    INFO(kind.name);
    ParamMap params;
    if (kind.name == "krum" || kind.name == "multi-krum" || kind.name == "bulyan") params = {{"f", 2}};
    const auto aggregator = make_aggregator(kind.name, params);
    RandomStream a(3, 1, purpose_id("robust.bucketing")), b = a;
    CHECK(aggregator->aggregate(inputs.views(), {{}, {}, &a}) == aggregator->aggregate(inputs.views(), {{}, {}, &b}));
  }
}

TEST_CASE("costs are positive and monotone in n and d") {
  for (const auto& kind : aggregator_kinds()) {
    INFO(kind.name);
    ParamMap params;
    if (kind.name == "krum" || kind.name == "multi-krum" || kind.name == "bulyan") params = {{"f", 2}};
    const auto aggregator = make_aggregator(kind.name, params);
    for (std::size_t n = 1; n < 40; ++n)
      for (std::size_t d : {1u, 10u, 1000u}) {
        CHECK(aggregator->cost_flops(n, d) > 0.0);
        CHECK(aggregator->cost_flops(n + 1, d) >= aggregator->cost_flops(n, d));
        CHECK(aggregator->cost_flops(n, d + 1) >= aggregator->cost_flops(n, d));
      }
  }
  // Krum is quadratic in n, the median n log n: at large n Krum costs more.
  CHECK(Krum(1, 1).cost_flops(1000, 100) > 50 * CoordinateMedian().cost_flops(1000, 100));
}

TEST_CASE("weights: the geometric median follows a heavy input, the mean checks their count") {
  Inputs collinear;
  for (double t : {0.0, 1.0, 10.0}) collinear.add({t});
  const double weights[] = {1.0, 1.0, 5.0};  // 5 > (1 + 1 + 5) / 2: the weighted median is 10
  CHECK(GeometricMedian(1e-9, 1000, 0.0).aggregate(collinear.views(), {weights})[0] == Approx(10.0).margin(1e-6));
  const double two[] = {1.0, 1.0};
  CHECK(error_of([&] { MeanAggregator().aggregate(collinear.views(), {two}); }) == "mean: 2 weights for 3 inputs");
}
