#include "algorithms/local_optimizer.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

using namespace dlsim;

namespace {

using Kind = LearningRateSchedule::Kind;

// Runs `steps` optimiser steps on f(x) = x^2 / 2 in 1-D (gradient x) from x = 1.
std::vector<double> quadratic_iterates(const LocalOptimizerConfig& config, int steps) {
  LocalOptimizer optimizer(&config);
  std::vector<double> x = {1.0}, iterates;
  for (int t = 0; t < steps; ++t) {
    const std::vector<double> gradient = x;
    optimizer.apply(static_cast<std::uint64_t>(t), x, gradient, x);
    iterates.push_back(x[0]);
  }
  return iterates;
}

// Iterations until ||x|| <= 1e-8 on f(x) = (L x_1^2 + mu x_2^2) / 2 from (1, 1).
int iterations_to_converge(const LocalOptimizerConfig& config, double L, double mu) {
  LocalOptimizer optimizer(&config);
  std::vector<double> x = {1.0, 1.0}, gradient(2);
  for (int t = 0; t < 100000; ++t) {
    if (std::hypot(x[0], x[1]) <= 1e-8) return t;
    gradient = {L * x[0], mu * x[1]};
    optimizer.apply(static_cast<std::uint64_t>(t), x, gradient, x);
  }
  return -1;
}

void check_invalid(const LocalOptimizerConfig& config, const std::string& field) {
  try {
    validate(config);
    FAIL("validate accepted a configuration with a bad " << field);
  } catch (const std::invalid_argument& error) {
    CHECK_THAT(error.what(), Catch::Contains(field));
  }
}

}  // namespace

TEST_CASE("constant schedule: eta_t = base at every round") {
  LearningRateSchedule s;
  s.base = 0.25;
  CHECK(s.at(0) == 0.25);
  CHECK(s.at(12345) == 0.25);
}

TEST_CASE(
    "step schedule: eta_t = base * factor^floor(t / every), decaying exactly at the boundaries") {
  LearningRateSchedule s;
  s.kind = Kind::step;
  s.base = 0.8;
  s.decay_factor = 0.5;  // powers of two: every value below is exact
  s.decay_every = 10;
  CHECK(s.at(0) == 0.8);
  CHECK(s.at(9) == 0.8);
  CHECK(s.at(10) == 0.4);
  CHECK(s.at(19) == 0.4);
  CHECK(s.at(20) == 0.2);
  CHECK(s.at(35) == 0.1);
  s.decay_factor = 0.1;
  CHECK(s.at(29) == Approx(0.8 * 0.01).epsilon(1e-15));
  CHECK(s.at(30) == Approx(0.8 * 0.001).epsilon(1e-15));
}

TEST_CASE("inverse-time schedule: eta_t = a / (t + b) with b = offset, a = base * b") {
  LearningRateSchedule s;
  s.kind = Kind::inverse_time;
  s.base = 0.5;
  s.offset = 20;
  const double a = 0.5 * 20, b = 20;
  CHECK(s.at(0) == Approx(0.5).epsilon(1e-15));
  for (std::uint64_t t : {1u, 7u, 20u, 1000u}) CHECK(s.at(t) == Approx(a / (t + b)).epsilon(1e-15));
  CHECK(s.at(20) == Approx(0.25).epsilon(1e-15));  // halved after `offset` rounds
}

TEST_CASE("inverse-sqrt schedule: eta_t = base / sqrt(t + 1), exact where the root is") {
  LearningRateSchedule s;
  s.kind = Kind::inverse_sqrt;
  s.base = 0.6;
  // Perfect squares: sqrt is exact (IEEE), so is one division by an integer power of two.
  CHECK(s.at(0) == 0.6);
  CHECK(s.at(3) == 0.6 / 2);
  CHECK(s.at(15) == 0.6 / 4);
  CHECK(s.at(99) == 0.6 / 10);
  for (std::uint64_t t : {1u, 2u, 7u, 1000u, 123456u})
    CHECK(s.at(t) == Approx(0.6 / std::sqrt(double(t) + 1)).epsilon(1e-15));
  // Quartered after 15 rounds: inverse-time would need offset = 5 for that.
  CHECK(s.at(15) * 4 == s.at(0));
  // The offset, decay factor and decay interval are not read.
  s.offset = -1;
  s.decay_every = 0;
  LocalOptimizerConfig config;
  config.schedule = s;
  CHECK_NOTHROW(validate(config));
  // Warm-up multiplies it as any schedule.
  s.warmup_rounds = 4;
  CHECK(s.at(3) == 0.6 / 2);
  CHECK(s.at(1) == Approx(0.6 / std::sqrt(2.0) * 0.5).epsilon(1e-15));
}

TEST_CASE(
    "warm-up: eta_t scaled by (t + 1) / warmup_rounds while t < warmup_rounds, on any schedule") {
  LearningRateSchedule s;
  s.base = 0.4;
  s.warmup_rounds = 4;
  CHECK(s.at(0) == Approx(0.1));
  CHECK(s.at(1) == Approx(0.2));
  CHECK(s.at(3) == Approx(0.4));
  CHECK(s.at(4) == 0.4);
  CHECK(s.at(100) == 0.4);

  // Product with step decay: the decay still counts from round 0.
  s.kind = Kind::step;
  s.decay_factor = 0.5;
  s.decay_every = 2;
  s.warmup_rounds = 5;
  CHECK(s.at(1) == Approx(0.4 * (2.0 / 5)));
  CHECK(s.at(2) == Approx(0.4 * 0.5 * (3.0 / 5)));
  CHECK(s.at(4) == Approx(0.4 * 0.25 * (5.0 / 5)));
  CHECK(s.at(5) == Approx(0.4 * 0.25));

  // Product with inverse time.
  s.kind = Kind::inverse_time;
  s.offset = 10;
  CHECK(s.at(2) == Approx(0.4 * 10 / 12 * (3.0 / 5)));
  CHECK(s.at(7) == Approx(0.4 * 10 / 17));
}

TEST_CASE("schedule names round-trip, and unknown names list the choices") {
  for (Kind kind : {Kind::constant, Kind::step, Kind::inverse_time, Kind::inverse_sqrt})
    CHECK(parse_schedule(schedule_name(kind)) == kind);
  CHECK(schedule_name(Kind::inverse_time) == "inverse-time");
  CHECK(schedule_name(Kind::inverse_sqrt) == "inverse-sqrt");
  CHECK_THROWS_WITH(parse_schedule("cosine"), Catch::Contains("constant, step, inverse-time, inverse-sqrt"));
}

TEST_CASE("plain step: target = x - eta * g exactly, in place or into another vector") {
  LocalOptimizerConfig config;
  config.schedule.base = 0.3;
  LocalOptimizer optimizer(&config);
  const std::vector<double> g = {0.7, -1.1, 3.0e-5};
  std::vector<double> x = {1.5, 2.25, -0.1};
  const std::vector<double> x0 = x;
  optimizer.apply(0, x, g, x);
  for (std::size_t k = 0; k < x.size(); ++k) CHECK(x[k] == x0[k] - 0.3 * g[k]);

  // D-PSGD: gradient at x, step applied to the mixed model.
  std::vector<double> mixed = {10, 20, 30};
  optimizer.apply(0, x0, g, mixed);
  CHECK(mixed[0] == 10 - 0.3 * g[0]);
  CHECK(mixed[2] == 30 - 0.3 * g[2]);
  CHECK(optimizer.memory_bytes() == sizeof(LocalOptimizer));  // no momentum buffer
}

TEST_CASE("heavy ball on f = x^2/2: v = beta v + x, x -= eta v, by hand") {
  // eta = 0.1, beta = 0.9, x_0 = 1:
  //   g = 1,     v = 1,                   x = 0.9
  //   g = 0.9,   v = 0.9 + 0.9 = 1.8,     x = 0.72
  //   g = 0.72,  v = 1.62 + 0.72 = 2.34,  x = 0.486
  //   g = 0.486, v = 2.106 + 0.486 = 2.592, x = 0.2268
  // (equivalently x_{t+1} = x_t - eta g_t + beta (x_t - x_{t-1}), Polyak 1964).
  LocalOptimizerConfig config;
  config.schedule.base = 0.1;
  config.momentum = 0.9;
  const auto x = quadratic_iterates(config, 4);
  CHECK(x[0] == Approx(0.9).epsilon(1e-14));
  CHECK(x[1] == Approx(0.72).epsilon(1e-14));
  CHECK(x[2] == Approx(0.486).epsilon(1e-14));
  CHECK(x[3] == Approx(0.2268).epsilon(1e-14));
}

TEST_CASE("Nesterov on f = x^2/2: v = beta v + g, x -= eta (g + beta v), by hand") {
  // eta = 0.1, beta = 0.9, x_0 = 1:
  //   g = 1,        v = 1,        d = 1 + 0.9 = 1.9,            x = 0.81
  //   g = 0.81,     v = 1.71,     d = 0.81 + 1.539 = 2.349,     x = 0.5751
  //   g = 0.5751,   v = 2.1141,   d = 0.5751 + 1.90269,         x = 0.327321
  //   g = 0.327321, v = 2.230011, d = 0.327321 + 2.0070099,     x = 0.09388791
  LocalOptimizerConfig config;
  config.schedule.base = 0.1;
  config.momentum = 0.9;
  config.nesterov = true;
  const auto x = quadratic_iterates(config, 4);
  CHECK(x[0] == Approx(0.81).epsilon(1e-14));
  CHECK(x[1] == Approx(0.5751).epsilon(1e-14));
  CHECK(x[2] == Approx(0.327321).epsilon(1e-14));
  CHECK(x[3] == Approx(0.09388791).epsilon(1e-13));
}

TEST_CASE("momentum follows the schedule and allocates its buffer once") {
  // Heavy ball with eta_0 = 1, eta_1 = 0.5 (step decay every round), beta = 0.5, g = 1 constant:
  // v = 1 then 1.5, so x = -1 then -1 - 0.75.
  LocalOptimizerConfig config;
  config.schedule.kind = Kind::step;
  config.schedule.base = 1;
  config.schedule.decay_factor = 0.5;
  config.schedule.decay_every = 1;
  config.momentum = 0.5;
  LocalOptimizer optimizer(&config);
  CHECK(optimizer.memory_bytes() == sizeof(LocalOptimizer));
  std::vector<double> x = {0}, g = {1};
  optimizer.apply(0, x, g, x);
  CHECK(x[0] == -1);
  CHECK(optimizer.memory_bytes() == sizeof(LocalOptimizer) + sizeof(double));
  optimizer.apply(1, x, g, x);
  CHECK(x[0] == -1.75);
  CHECK(optimizer.learning_rate(1) == 0.5);
  std::vector<double> wrong(2);
  CHECK_THROWS_AS(optimizer.apply(2, wrong, wrong, wrong), std::invalid_argument);
}

TEST_CASE("weight decay: g' = g + lambda x, taken at x even when the step goes to another vector") {
  // x = (2, -1), g = (0.5, 0.5), lambda = 0.1, eta = 0.5: g' = (0.7, 0.4), step = (0.35, 0.2).
  LocalOptimizerConfig config;
  config.schedule.base = 0.5;
  config.weight_decay = 0.1;
  LocalOptimizer plain(&config);
  const std::vector<double> x = {2, -1}, g = {0.5, 0.5};
  std::vector<double> target = x;
  plain.apply(0, x, g, target);
  CHECK(target[0] == Approx(1.65));
  CHECK(target[1] == Approx(-1.2));
  std::vector<double> mixed = {10, 10};
  plain.apply(0, x, g, mixed);
  CHECK(mixed[0] == Approx(9.65));
  CHECK(mixed[1] == Approx(9.8));

  // With heavy ball the decayed gradient enters the buffer: second step v = 0.5 g' + g'.
  config.momentum = 0.5;
  LocalOptimizer heavy(&config);
  mixed = {10, 10};
  heavy.apply(0, x, g, mixed);
  heavy.apply(1, x, g, mixed);
  CHECK(mixed[0] == Approx(10 - 0.5 * 0.7 * 2.5));
  CHECK(mixed[1] == Approx(10 - 0.5 * 0.4 * 2.5));
}

TEST_CASE("heavy ball beats gradient descent on a badly conditioned quadratic") {
  // f = (L x_1^2 + mu x_2^2) / 2 with L = 1, mu = 0.01 (condition number 100).
  // Gradient descent with eta = 1/L zeroes x_1 in one step and shrinks x_2 by
  // (1 - mu/L) per step: ||x|| <= 1e-8 after ceil(ln 1e-8 / ln 0.99) = 1833 steps.
  // Polyak's tuning eta = 4 / (sqrt L + sqrt mu)^2, beta = ((sqrt L - sqrt mu) /
  // (sqrt L + sqrt mu))^2 contracts at rate sqrt(beta) = 9/11 per step (times a
  // factor linear in t, the iteration matrix being defective at this tuning):
  // about 120 steps.
  const double L = 1, mu = 0.01;
  LocalOptimizerConfig plain;
  plain.schedule.base = 1 / L;
  const int gd = iterations_to_converge(plain, L, mu);
  CHECK(std::abs(gd - 1833) <= 1);

  LocalOptimizerConfig heavy;
  const double root_sum = std::sqrt(L) + std::sqrt(mu);
  heavy.schedule.base = 4 / (root_sum * root_sum);
  heavy.momentum = std::pow((std::sqrt(L) - std::sqrt(mu)) / root_sum, 2);
  const int hb = iterations_to_converge(heavy, L, mu);
  CHECK(hb > 0);
  CHECK(hb < 150);
  CHECK(10 * hb < gd);
}

TEST_CASE("validate names the bad field") {
  LocalOptimizerConfig good;
  CHECK_NOTHROW(validate(good));

  auto bad = good;
  bad.schedule.base = -0.1;
  check_invalid(bad, "schedule.base");
  bad = good;
  bad.schedule.base = std::nan("");
  check_invalid(bad, "schedule.base");
  bad = good;
  bad.momentum = 1.0;
  check_invalid(bad, "momentum");
  bad.momentum = -0.5;
  check_invalid(bad, "momentum");
  bad = good;
  bad.nesterov = true;
  check_invalid(bad, "nesterov");
  bad = good;
  bad.weight_decay = -1e-4;
  check_invalid(bad, "weight_decay");

  bad = good;
  bad.schedule.kind = Kind::step;
  bad.schedule.decay_every = 0;
  check_invalid(bad, "schedule.decay_every");
  bad.schedule.decay_every = 10;
  bad.schedule.decay_factor = 0;
  check_invalid(bad, "schedule.decay_factor");
  bad.schedule.decay_factor = 1.5;
  check_invalid(bad, "schedule.decay_factor");
  bad.schedule.decay_factor = 1.0;
  CHECK_NOTHROW(validate(bad));

  bad = good;
  bad.schedule.kind = Kind::inverse_time;
  bad.schedule.offset = 0;
  check_invalid(bad, "schedule.offset");
  bad.schedule.offset = -3;
  check_invalid(bad, "schedule.offset");
  // Fields the chosen kind does not read are not checked.
  bad.schedule.kind = Kind::constant;
  bad.schedule.decay_every = 0;
  CHECK_NOTHROW(validate(bad));
}
