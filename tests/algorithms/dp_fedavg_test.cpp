// DP-FedAvg's pieces (McMahan et al., ICLR 2018): the server's clipped,
// noised sum over the expected cohort, and Poisson client sampling.
#include <catch2/catch.hpp>

#include <cmath>
#include <algorithm>
#include <limits>
#include <set>
#include <vector>

#include "algorithms/federated/private_aggregation.hpp"
#include "algorithms/federated/selection.hpp"
#include "algorithms/federated/synchronous_rounds.hpp"
#include "federated_fixture.hpp"
#include "sim/random.hpp"

using namespace dlsim;

namespace {

std::vector<KeptUpdate> kept_updates(const std::vector<std::vector<double>>& deltas, const VectorCodec& codec) {
  RandomStream rng(1, 0, 0);
  std::vector<KeptUpdate> kept;
  for (std::size_t i = 0; i < deltas.size(); ++i) {
    auto update = std::make_shared<ClientUpdate>();
    update->delta = codec.encode(0, deltas[i], rng);
    kept.push_back(KeptUpdate{static_cast<NodeId>(i), 5.0 + static_cast<double>(i), update});
  }
  return kept;
}

}  // namespace

TEST_CASE("Without clipping or noise DP-FedAvg's aggregate is the plain sum over the expected cohort") {
  VectorCodec exact;
  const std::vector<std::vector<double>> deltas{{0.1, -2.0, 3.5}, {1e-3, 7.0, -0.25}, {4.0, 0.5, 1.0 / 3.0}};
  const auto kept = kept_updates(deltas, exact);
  UserPrivacy privacy;
  privacy.enabled = true;
  privacy.expected_cohort = 7.0;  // the fixed denominator qN, not the 3 received (weights ignored)
  RandomStream noise(1, 0, 0);
  std::vector<double> out(3), scratch;
  CHECK(private_aggregate(kept, exact, privacy, noise, out, scratch) == 0);
  for (std::size_t k = 0; k < 3; ++k) {
    double sum = 0.0;
    for (const auto& delta : deltas) sum += delta[k];
    CHECK(out[k] == sum / 7.0);  // bit for bit: the same additions in the same order
  }
  // An empty cohort releases zero (then only its noise).
  CHECK(private_aggregate({}, exact, privacy, noise, out, scratch) == 0);
  CHECK(out == std::vector<double>{0.0, 0.0, 0.0});
}

TEST_CASE("Weighted DP-FedAvg sums w_k times each clipped update over q W, each w_k at most 1") {
  VectorCodec exact;
  // Norms 5 (clipped to 2) and 1 (kept), 3 (clipped to 2); weights 0.25, 1, 0.5 for clients 0, 1, 2.
  const auto kept = kept_updates({{3.0, 4.0}, {0.6, -0.8}, {0.0, 3.0}}, exact);
  UserPrivacy privacy;
  privacy.enabled = true;
  privacy.clip_norm = 2.0;
  privacy.expected_cohort = 100.0;  // not used with weights
  privacy.client_weights = {0.25, 1.0, 0.5, 0.75};
  privacy.weighted_denominator = 1.25;
  privacy.largest_weight = 1.0;
  RandomStream noise(1, 0, 0);
  std::vector<double> out(2), scratch;
  CHECK(private_aggregate(kept, exact, privacy, noise, out, scratch) == 2);
  CHECK(out[0] == Approx((0.25 * 1.2 + 0.6) / 1.25).epsilon(1e-14));
  CHECK(out[1] == Approx((0.25 * 1.6 - 0.8 + 0.5 * 2.0) / 1.25).epsilon(1e-14));
  // Each client's contribution to the numerator is at most w_k C <= C: the sensitivity DP-FedAvg charges.
  for (std::size_t client = 0; client < 3; ++client) {
    auto without = kept;
    without.erase(without.begin() + static_cast<std::ptrdiff_t>(client));
    std::vector<double> rest(2);
    private_aggregate(without, exact, privacy, noise, rest, scratch);
    const double moved = std::hypot(out[0] - rest[0], out[1] - rest[1]) * privacy.weighted_denominator;
    CHECK(moved <= privacy.client_weights[client] * privacy.clip_norm * (1 + 1e-12));
  }
}

TEST_CASE("DP-FedAvg clips each update larger than C to norm C and leaves the others") {
  VectorCodec exact;
  // Norms 5 (clipped to 2: scaled by 0.4) and 1 (kept).
  const auto kept = kept_updates({{3.0, 4.0}, {0.6, -0.8}}, exact);
  UserPrivacy privacy;
  privacy.enabled = true;
  privacy.clip_norm = 2.0;
  privacy.expected_cohort = 2.0;
  RandomStream noise(1, 0, 0);
  std::vector<double> out(2), scratch;
  CHECK(private_aggregate(kept, exact, privacy, noise, out, scratch) == 1);
  CHECK(out[0] == Approx((3.0 * 0.4 + 0.6) / 2.0).epsilon(1e-15));
  CHECK(out[1] == Approx((4.0 * 0.4 - 0.8) / 2.0).epsilon(1e-15));
}

TEST_CASE("DP-FedAvg's noise has standard deviation sigma C over the expected cohort") {
  VectorCodec exact;
  const std::size_t d = 20000;
  const auto kept = kept_updates({std::vector<double>(d, 0.0)}, exact);
  UserPrivacy privacy;
  privacy.enabled = true;
  privacy.clip_norm = 0.5;
  privacy.noise_multiplier = 3.0;
  privacy.expected_cohort = 4.0;
  RandomStream noise(7, 3, 11);
  std::vector<double> out(d), scratch;
  private_aggregate(kept, exact, privacy, noise, out, scratch);
  double sum = 0.0, squares = 0.0;
  for (double value : out) {
    sum += value;
    squares += value * value;
  }
  const double mean = sum / d, variance = squares / d - mean * mean;
  const double expected = std::pow(3.0 * 0.5 / 4.0, 2);  // 0.140625
  // The sample variance's standard error is sqrt(2 / d) expected: 1% of it; allow 5 of them.
  CHECK(std::abs(variance / expected - 1.0) < 5.0 * std::sqrt(2.0 / d));
  CHECK(std::abs(mean) < 5.0 * std::sqrt(expected / d));
  // The same stream gives the same noise.
  RandomStream again(7, 3, 11);
  std::vector<double> repeat(d);
  private_aggregate(kept, exact, privacy, again, repeat, scratch);
  CHECK(repeat == out);
}

TEST_CASE("Poisson sampling takes each idle client independently with probability K / N") {
  const std::uint32_t clients = 1000, expected = 100;
  CohortSelector selector(ClientSampling::poisson, 5, {});
  std::vector<std::uint64_t> taken(clients, 0);
  std::uint64_t total = 0;
  const int rounds = 400;
  std::vector<std::size_t> sizes;
  for (int round = 0; round < rounds; ++round) {
    std::vector<std::uint8_t> busy(clients, 0);
    busy[0] = 1;  // never selected while busy
    std::vector<NodeId> cohort;
    selector.select(round, expected, busy, clients - 1, cohort);
    CHECK(std::find(cohort.begin(), cohort.end(), 0u) == cohort.end());
    for (NodeId client : cohort) ++taken[client];
    total += cohort.size();
    sizes.push_back(cohort.size());
  }
  // E = 999 * 0.1 * 400 = 39960, sd = sqrt(39960 * 0.9) = 190: within 5 sd.
  CHECK(std::abs(static_cast<double>(total) - 39960.0) < 5 * 190.0);
  CHECK(std::set<std::size_t>(sizes.begin(), sizes.end()).size() > 5);  // the cohort's size varies
  // Deterministic: the same round draws the same cohort.
  CohortSelector other(ClientSampling::poisson, 5, {});
  std::vector<std::uint8_t> busy_a(clients, 0), busy_b(clients, 0);
  std::vector<NodeId> a, b;
  selector.select(9, expected, busy_a, clients, a);
  other.select(9, expected, busy_b, clients, b);
  CHECK(a == b);
}

namespace {

using namespace dlsim::federated_testing;

// 20 clients, 5 expected per round, Poisson cohorts, equal weights, 3 local steps.
FederatedConfig poisson_config(std::uint64_t seed) {
  FederatedConfig config = logistic_config(20, 400, partition_contiguous(400, 20));
  config.seed = seed;
  config.rounds = 12;
  config.local_steps = 3;
  config.batch_size = 8;
  config.cohort.clients_per_round = 5;
  config.cohort.sampling = ClientSampling::poisson;
  config.weighting = UpdateWeighting::uniform;
  return config;
}

FederatedConfig private_config(std::uint64_t seed, double clip_norm, double sigma, double expected_cohort) {
  FederatedConfig config = poisson_config(seed);
  config.user_privacy.enabled = true;
  config.user_privacy.clip_norm = clip_norm;
  config.user_privacy.noise_multiplier = sigma;
  config.user_privacy.expected_cohort = expected_cohort;
  return config;
}

std::vector<std::uint32_t> participants(const SynchronousFederated& run) {
  std::vector<std::uint32_t> out;
  for (const FederatedRoundRecord& record : run.records()) out.push_back(record.participants);
  return out;
}

}  // namespace

TEST_CASE("DP-FedAvg without clipping or noise is FedAvg on the same Poisson cohort, over qN") {
  // A seed whose first cohort has 4 clients: dividing by 4 is exact, so the
  // plain mean sum_i Delta_i / 4 and DP-FedAvg with denominator 4 agree bit for bit.
  std::uint64_t seed = 1;
  std::vector<std::uint32_t> plain_sizes;
  std::vector<double> plain_model;
  for (; seed < 200; ++seed) {
    FederatedConfig one_round = poisson_config(seed);
    one_round.rounds = 1;
    SynchronousFederated plain(one_round, nullptr);
    run_all(plain, engine_for(20));
    if (plain.records().front().participants == 4) {
      plain_model = server_model(plain);
      break;
    }
  }
  REQUIRE(!plain_model.empty());
  FederatedConfig one_round = private_config(seed, std::numeric_limits<double>::infinity(), 0.0, 4.0);
  one_round.rounds = 1;
  SynchronousFederated exact(one_round, nullptr);
  run_all(exact, engine_for(20));
  CHECK(server_model(exact) == plain_model);

  CHECK(exact.records().front().selected == 4);
  CHECK(exact.records().front().participants == 4);

  // With the fixed denominator K = 5: x_1 - x_0 = (n / K) (the plain mean's step).
  // Every selected client is kept (plain FedAvg would close at K and leave
  // the surplus busy), and every round is completed, empty cohorts included.
  SynchronousFederated fixed(private_config(seed, std::numeric_limits<double>::infinity(), 0.0, 5.0), nullptr);
  run_all(fixed, engine_for(20));
  CHECK(fixed.rounds_completed(0) == 12);
  for (const FederatedRoundRecord& record : fixed.records()) {
    CHECK(record.participants == record.selected);
    CHECK(!record.abandoned);
  }
  FederatedConfig first = private_config(seed, std::numeric_limits<double>::infinity(), 0.0, 5.0);
  first.rounds = 1;
  SynchronousFederated fixed_one(first, nullptr);
  run_all(fixed_one, engine_for(20));
  const std::vector<double> x0 = initial_server_model(first), x1 = server_model(fixed_one);
  for (std::size_t k = 0; k < x0.size(); ++k)
    CHECK((x1[k] - x0[k]) * 5.0 == Approx((plain_model[k] - x0[k]) * 4.0).epsilon(1e-12).margin(1e-15));
}

TEST_CASE("DP-FedAvg with noise is bit-identical for 1 and 2 threads, and the noise moves the model") {
  const FederatedConfig config = private_config(3, 0.5, 1.0, 5.0);
  SynchronousFederated one(config, nullptr), two(config, nullptr);
  run_all(one, engine_for(20, 1));
  run_all(two, engine_for(20, 2));
  CHECK(server_model(one) == server_model(two));
  CHECK(participants(one) == participants(two));
  SynchronousFederated quiet(private_config(3, 0.5, 0.0, 5.0), nullptr);
  run_all(quiet, engine_for(20, 1));
  CHECK(server_model(quiet) != server_model(one));
  CHECK(one.rounds_completed(0) == 12);  // no round abandoned, empty cohorts included
}

TEST_CASE("Adaptive clipping moves C geometrically toward the target quantile") {
  UserPrivacy privacy;
  privacy.enabled = privacy.adaptive = true;
  privacy.expected_cohort = 8.0;
  privacy.target_quantile = 0.5;
  privacy.clip_learning_rate = 0.2;
  RandomStream noise(1, 0, 0);
  // Without count noise: b = (6 - 4) / 8 + 1/2 = 0.75 of the 8 within C: C shrinks by exp(-0.2 * 0.25).
  CHECK(next_clip_norm(2.0, 6, 8, privacy, noise) == Approx(2.0 * std::exp(-0.05)).epsilon(1e-15));
  // Fewer within C than the target: C grows; exactly at the target it stays.
  CHECK(next_clip_norm(2.0, 1, 8, privacy, noise) > 2.0);
  CHECK(next_clip_norm(2.0, 4, 8, privacy, noise) == 2.0);
  // The count noise: sigma_b N(0, 1) from the stream.
  privacy.count_noise = 0.4;
  RandomStream a(3, 1, 2), b(3, 1, 2);
  const double z = b.normal();
  CHECK(next_clip_norm(2.0, 6, 8, privacy, a) ==
        Approx(2.0 * std::exp(-0.2 * ((2.0 + 0.4 * z) / 8.0 + 0.5 - 0.5))).epsilon(1e-15));
}

TEST_CASE("Adaptive clipping's update noise keeps the total noise multiplier z") {
  // (z_Delta^-2 + (2 sigma_b)^-2)^-1/2 = z.
  const auto update = adaptive_update_noise(1.0, 1.0);
  REQUIRE(update);
  CHECK(*update == Approx(1.0 / std::sqrt(0.75)).epsilon(1e-15));
  CHECK(std::pow(std::pow(*update, -2) + std::pow(2.0, -2), -0.5) == Approx(1.0).epsilon(1e-15));
  CHECK(adaptive_update_noise(0.0, 0.0) == 0.0);
  CHECK(!adaptive_update_noise(1.0, 0.5));  // 2 sigma_b = z: nothing left for the update
  CHECK(!adaptive_update_noise(1.0, 0.0));
}

TEST_CASE("DP-FedAvg with adaptive clipping tracks the quantile and stays deterministic across threads") {
  FederatedConfig config = private_config(3, 100.0, 0.0, 5.0);  // C_0 far above every update
  config.user_privacy.adaptive = true;
  config.user_privacy.clip_learning_rate = 0.5;
  config.rounds = 30;
  SynchronousFederated one(config, nullptr), two(config, nullptr);
  run_all(one, engine_for(20, 1));
  run_all(two, engine_for(20, 2));
  CHECK(server_model(one) == server_model(two));
  double final_one = 0, final_two = 0;
  for (const auto& [name, value] : one.summary_figures())
    if (name == "dp_clip_norm_final") final_one = value;
  for (const auto& [name, value] : two.summary_figures())
    if (name == "dp_clip_norm_final") final_two = value;
  CHECK(final_one == final_two);
  // Every update within C: b ~ 1 each round, so C shrinks by about exp(-0.25) a round.
  CHECK(final_one < 100.0 * std::exp(-0.25 * 30 * 0.5));
  CHECK(final_one > 0.0);
}
