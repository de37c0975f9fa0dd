// Local DP on messages (privacy/local_dp.hpp): the identity without clipping
// or noise, the clip, the noise's variance, the model form's non-accumulating
// noise, and the accounting of T messages against the Gaussian mechanism's
// closed form.
#include "privacy/local_dp.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "privacy/privacy_ledger.hpp"
#include "privacy/renyi_accountant.hpp"
#include "sim/random.hpp"

using namespace dlsim;

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

double norm(const std::vector<double>& v) { return std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0)); }

MessagePrivacy private_messages(double clip_norm, double noise_multiplier) {
  MessagePrivacy privacy;
  privacy.enabled = true;
  privacy.clip_norm = clip_norm;
  privacy.noise_multiplier = noise_multiplier;
  return privacy;
}

std::vector<double> random_vector(std::size_t d, double scale, std::uint64_t substream) {
  RandomStream rng(7, 0, purpose_id("test.vector"), substream);
  std::vector<double> v(d);
  for (double& value : v) value = scale * rng.normal();
  return v;
}

}  // namespace

TEST_CASE("Local DP without clipping or noise sends the message unchanged bit for bit", "[privacy][local-dp]") {
  const MessagePrivacy identity = private_messages(kInfinity, 0.0);
  RandomStream noise(1, 0, purpose_id("test.noise"));
  std::vector<double> update = random_vector(100, 1e3, 1);
  const std::vector<double> before = update;
  privatize_update(update, identity, noise);
  CHECK(update == before);
  // The model form: successive models of very different magnitudes, each released exactly.
  std::vector<double> released;
  for (std::uint64_t t = 0; t < 5; ++t) {
    const std::vector<double> x = random_vector(100, t % 2 == 0 ? 1e12 : 1e-3, 10 + t);
    privatize_model(x, released, identity, noise);
    CHECK(released == x);
  }
}

TEST_CASE("Local DP clips the update and moves a released model by at most C", "[privacy][local-dp]") {
  const MessagePrivacy clip_only = private_messages(1.0, 0.0);
  RandomStream noise(1, 0, purpose_id("test.noise"));
  std::vector<double> update = {3.0, -4.0};  // norm 5
  privatize_update(update, clip_only, noise);
  CHECK(update[0] == Approx(0.6).epsilon(1e-15));
  CHECK(update[1] == Approx(-0.8).epsilon(1e-15));
  std::vector<double> short_update = {0.3, 0.4};
  privatize_update(short_update, clip_only, noise);
  CHECK(short_update == std::vector<double>{0.3, 0.4});
  // x = (10, 0) from r = 0: three messages of length 1 toward x, then still 7 away.
  std::vector<double> released;
  const std::vector<double> x = {10.0, 0.0};
  for (int t = 1; t <= 3; ++t) {
    privatize_model(x, released, clip_only, noise);
    CHECK(released[0] == Approx(double(t)).epsilon(1e-15));
    CHECK(released[1] == 0.0);
  }
}

TEST_CASE("Local DP noise has mean 0 and standard deviation sigma C", "[privacy][local-dp]") {
  const double clip_norm = 2.0, sigma = 1.5, stddev = sigma * clip_norm;
  const std::size_t d = 20000;
  const MessagePrivacy privacy = private_messages(clip_norm, sigma);
  RandomStream noise(3, 5, purpose_id("test.noise"));
  std::vector<double> update(d, 0.0);  // within C: only the noise remains
  privatize_update(update, privacy, noise);
  const double mean = std::accumulate(update.begin(), update.end(), 0.0) / double(d);
  double squares = 0;
  for (double value : update) squares += (value - mean) * (value - mean);
  const double variance = squares / double(d - 1);
  // Standard errors: stddev / sqrt(d) = 0.021 for the mean, stddev^2 sqrt(2 / d) = 0.09 for the variance.
  CHECK(std::abs(mean) < 5 * stddev / std::sqrt(double(d)));
  CHECK(std::abs(variance - stddev * stddev) < 5 * stddev * stddev * std::sqrt(2.0 / double(d)));
}

TEST_CASE("A released model carries fresh noise that does not accumulate over messages", "[privacy][local-dp]") {
  const double clip_norm = 1.0, sigma = 0.01;  // noise norm about 0.1 in d = 100: within C
  const MessagePrivacy privacy = private_messages(clip_norm, sigma);
  const std::vector<double> x = random_vector(100, 0.05, 2);
  std::vector<double> released = x;
  RandomStream noise(4, 1, purpose_id("test.noise"));
  double error = 0;
  const int messages = 400;
  for (int t = 0; t < messages; ++t) {
    privatize_model(x, released, privacy, noise);
    double squares = 0;
    for (std::size_t k = 0; k < x.size(); ++k) squares += (released[k] - x[k]) * (released[k] - x[k]);
    error += squares / double(x.size());
  }
  // Per-coordinate mean squared error sigma^2 C^2 = 1e-4 (a random walk would average 200 times that).
  CHECK(error / messages == Approx(sigma * sigma * clip_norm * clip_norm).epsilon(0.05));
}

TEST_CASE("Local DP's epsilon is the Gaussian mechanism's over T messages at sensitivity 2C", "[privacy][local-dp]") {
  // Each message: RDP alpha (2C)^2 / (2 sigma^2 C^2) = 2 alpha / sigma^2; T of them add up. Converted by
  // Balle et al. 2020 at the best default order, computed here without the accountant.
  for (const double sigma : {1.0, 4.0, 20.0}) {
    for (const std::uint64_t messages : {std::uint64_t{1}, std::uint64_t{50}, std::uint64_t{500}}) {
      const double delta = 1e-5;
      double best = kInfinity;
      for (const double alpha : default_renyi_orders()) {
        if (alpha <= 1.01) continue;
        const double rdp = double(messages) * alpha / (2.0 * (sigma / 2.0) * (sigma / 2.0));
        best = std::min(best, rdp + std::log1p(-1.0 / alpha) - std::log(delta * alpha) / (alpha - 1.0));
      }
      PrivacyLedger ledger(std::vector<double>(3, 1.0), local_dp_accounted_noise_multiplier(sigma), delta);
      ledger.record_steps(1, messages);
      ledger.record_steps(2, messages / 2);
      CHECK(ledger.spent().epsilon == Approx(std::max(0.0, best)).epsilon(1e-12));
      // The classic conversion's optimum over all orders is the familiar closed form; the grid is within 2%
      // above it.
      const double s = sigma / 2.0;
      const double continuous = double(messages) / (2 * s * s) + std::sqrt(2.0 * double(messages) * std::log(1 / delta)) / s;
      RenyiAccountant accountant;
      accountant.compose(1.0, s, messages);
      const double classic = accountant.spent(delta, RenyiConversion::classic).epsilon;
      CHECK(classic >= continuous * (1 - 1e-12));
      CHECK(classic <= continuous * 1.02);
    }
  }
}

TEST_CASE("Local DP's clip and noise are charged", "[privacy][local-dp]") {
  CHECK(local_dp_flops(100, MessagePrivacy{}) == 0.0);
  CHECK(local_dp_flops(100, private_messages(1.0, 0.0)) == 400.0);
  CHECK(local_dp_flops(100, private_messages(1.0, 1.0)) == 2400.0);
}
