#include "privacy/dp_sgd.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <vector>

#include "models/least_squares.hpp"
#include "models/logistic.hpp"
#include "models/mlp.hpp"
#include "sim/random.hpp"
#include "tests/models/gradient_check.hpp"

using namespace dlsim;
using dlsim::testing::random_classification;

namespace {

double norm(const std::vector<double>& v) { return std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0)); }

std::vector<std::uint32_t> first_rows(std::uint32_t n) {
  std::vector<std::uint32_t> rows(n);
  std::iota(rows.begin(), rows.end(), 0u);
  return rows;
}

}  // namespace

TEST_CASE("Clipping leaves short vectors untouched and rescales long ones to the clip norm", "[privacy][dp-sgd]") {
  std::vector<double> short_vector = {0.3, -0.4};  // norm 0.5
  const std::vector<double> before = short_vector;
  CHECK(clip_to_norm(short_vector, 0.5) == 1.0);
  CHECK(short_vector == before);  // bit for bit
  std::vector<double> long_vector = {3.0, -4.0};  // norm 5
  CHECK(clip_to_norm(long_vector, 1.0) == Approx(0.2));
  CHECK(long_vector[0] == Approx(0.6).epsilon(1e-15));
  CHECK(long_vector[1] == Approx(-0.8).epsilon(1e-15));
  CHECK(norm(long_vector) == Approx(1.0).epsilon(1e-15));
  std::vector<double> huge = {1e300, 1e300};
  CHECK(clip_to_norm(huge, std::numeric_limits<double>::infinity()) == 1.0);
  CHECK_THROWS(clip_to_norm(huge, 0.0));
}

TEST_CASE("The Gaussian noise has mean 0 and the stated variance", "[privacy][dp-sgd]") {
  // n draws of N(0, s^2): the sample mean has standard deviation s / sqrt(n),
  // the sample variance about s^2 sqrt(2 / n); 5 of those is a 1-in-10^6 event.
  const std::size_t n = 400000;
  const double stddev = 2.5;
  std::vector<double> v(n, 0.0);
  RandomStream rng(7, 3, purpose_id("privacy.noise"), 11);
  add_gaussian_noise(v, stddev, rng);
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / double(n);
  double squares = 0;
  for (double value : v) squares += (value - mean) * (value - mean);
  const double variance = squares / double(n - 1);
  CHECK(std::abs(mean) < 5 * stddev / std::sqrt(double(n)));
  CHECK(std::abs(variance - stddev * stddev) < 5 * stddev * stddev * std::sqrt(2.0 / double(n)));
  // The same key gives the same noise; zero noise draws nothing.
  std::vector<double> again(n, 0.0);
  RandomStream replay(7, 3, purpose_id("privacy.noise"), 11);
  add_gaussian_noise(again, stddev, replay);
  CHECK(again == v);
  RandomStream untouched(7, 3, purpose_id("privacy.noise"), 11);
  add_gaussian_noise(again, 0.0, untouched);
  CHECK(untouched.position() == 0);
}

TEST_CASE("Poisson sampling keeps each sample with probability q", "[privacy][dp-sgd]") {
  const auto pool = first_rows(100000);
  std::vector<std::uint32_t> batch;
  RandomStream rng(1, 0, purpose_id("privacy.poisson"));
  const double q = 0.01;
  poisson_sample(pool, q, rng, batch);
  // Binomial(n, q): mean 1000, standard deviation about 31.5.
  CHECK(std::abs(double(batch.size()) - 1000.0) < 5 * std::sqrt(100000 * q * (1 - q)));
  CHECK(std::is_sorted(batch.begin(), batch.end()));
  CHECK(std::adjacent_find(batch.begin(), batch.end()) == batch.end());
}

TEST_CASE("Without clipping or noise the private gradient is the plain one bit for bit", "[privacy][dp-sgd]") {
  const Dataset data = random_classification(300, 12, 2, 5);
  const LogisticRegression model(12, 0.01);
  auto model_workspace = model.make_workspace();
  DpSgdWorkspace workspace;
  std::vector<double> x(12);
  RandomStream init(2, 0, purpose_id("test.x"));
  for (double& value : x) value = init.normal();
  const auto batch = first_rows(300);
  std::vector<double> plain(12), private_gradient(12);
  const double plain_loss = model.loss_and_gradient(x, data, batch, plain, *model_workspace);
  RandomStream noise(1, 0, purpose_id("privacy.noise"));
  const double loss = private_loss_and_gradient(model, x, data, batch, 300, private_gradient, *model_workspace,
                                                workspace, DpSgdParameters{}, noise);
  CHECK(loss == plain_loss);
  CHECK(private_gradient == plain);
  CHECK(noise.position() == 0);

  // A finite clip norm above every sample's gradient norm takes the
  // per-sample path: the same gradient up to rounding.
  const double loss_per_sample = private_loss_and_gradient(model, x, data, batch, 300, private_gradient,
                                                           *model_workspace, workspace, {1e12, 0.0}, noise);
  CHECK(loss_per_sample == Approx(plain_loss).epsilon(1e-12));
  for (std::size_t k = 0; k < 12; ++k) CHECK(private_gradient[k] == Approx(plain[k]).margin(1e-13));
}

TEST_CASE("Per-sample clipping bounds each sample's contribution: least squares by hand", "[privacy][dp-sgd]") {
  // f_j(w) = (1/2)(<a_j, w> - y_j)^2 has gradient (<a_j, w> - y_j) a_j; DP-SGD
  // with sigma = 0 sums those clipped to C and divides by the expected size.
  const std::size_t d = 6;
  const Dataset data = random_classification(40, d, 2, 8);
  const LeastSquares model(d);
  auto model_workspace = model.make_workspace();
  DpSgdWorkspace workspace;
  const std::vector<double> w = {0.5, -1.0, 2.0, 0.0, 1.5, -0.7};
  const auto batch = first_rows(40);
  const double clip = 0.8, expected = 32.0;
  std::vector<double> by_hand(d, 0.0);
  std::size_t clipped = 0;
  for (std::uint32_t j : batch) {
    double residual = -data.targets[j];
    for (std::size_t k = 0; k < d; ++k) residual += double(data.dense[j * d + k]) * w[k];
    std::vector<double> g(d);
    for (std::size_t k = 0; k < d; ++k) g[k] = residual * double(data.dense[j * d + k]);
    const double scale = std::min(1.0, clip / norm(g));
    clipped += scale < 1.0;
    for (std::size_t k = 0; k < d; ++k) by_hand[k] += scale * g[k] / expected;
  }
  REQUIRE(clipped > 5);  // the test exercises clipping
  REQUIRE(clipped < 40);
  std::vector<double> gradient(d);
  RandomStream noise(1, 0, purpose_id("privacy.noise"));
  private_loss_and_gradient(model, w, data, batch, expected, gradient, *model_workspace, workspace, {clip, 0.0},
                            noise);
  for (std::size_t k = 0; k < d; ++k) CHECK(gradient[k] == Approx(by_hand[k]).margin(1e-12));

  // With noise, the gradient moves by exactly sigma C z / expected, z the stream's normals.
  std::vector<double> noisy(d);
  RandomStream noise_a(1, 0, purpose_id("privacy.noise"), 4);
  private_loss_and_gradient(model, w, data, batch, expected, noisy, *model_workspace, workspace, {clip, 1.3}, noise_a);
  RandomStream noise_b(1, 0, purpose_id("privacy.noise"), 4);
  for (std::size_t k = 0; k < d; ++k)
    CHECK(noisy[k] == Approx(by_hand[k] + 1.3 * clip * noise_b.normal() / expected).margin(1e-12));
}

TEST_CASE("The MLP's per-sample gradients sum to its batched gradient", "[privacy][dp-sgd]") {
  const Dataset data = random_classification(50, 5, 3, 22);
  const Mlp model({5, 7, 3});
  auto model_workspace = model.make_workspace();
  DpSgdWorkspace workspace;
  std::vector<double> x(model.dimension());
  RandomStream init(4, 0, purpose_id("test.x"));
  model.initialize(x, init);
  const auto batch = first_rows(50);
  std::vector<double> plain(x.size()), per_sample(x.size());
  model.loss_and_gradient(x, data, batch, plain, *model_workspace);
  RandomStream noise(1, 0, purpose_id("privacy.noise"));
  private_loss_and_gradient(model, x, data, batch, 50, per_sample, *model_workspace, workspace, {1e12, 0.0}, noise);
  for (std::size_t k = 0; k < x.size(); ++k) CHECK(per_sample[k] == Approx(plain[k]).margin(1e-12));
}

TEST_CASE("Per-sample clipping is charged in the compute cost", "[privacy][dp-sgd]") {
  CHECK(private_gradient_flops(10, 100, DpSgdParameters{}) == 0.0);
  CHECK(private_gradient_flops(10, 100, {1.0, 0.0}) == 4000.0);
  CHECK(private_gradient_flops(10, 100, {1.0, 1.0}) == 4000.0 + 2000.0);
}
