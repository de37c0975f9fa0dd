// Secure aggregation in synchronous rounds (Bonawitz et al., CCS 2017;
// SecAgg+ of Bell et al., CCS 2020), modelled by its cost: the model is the
// plain run's bit for bit, the bits follow the formulas of
// secure_aggregation.hpp exactly, too few survivors abandon the round,
// SecAgg+ is cheaper for large cohorts, threads change nothing.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>

#include "algorithms/federated/secure_aggregation.hpp"
#include "algorithms/federated/synchronous_rounds.hpp"
#include "federated_fixture.hpp"

namespace dlsim {
namespace {

using federated_testing::engine_for;
using federated_testing::identical_clients_config;
using federated_testing::kLatency;
using federated_testing::run_all;
using federated_testing::server_model;

FederatedConfig secure_config(std::uint32_t clients, SecureAggregationProtocol protocol) {
  FederatedConfig config = identical_clients_config(clients, 40);
  config.rounds = 4;
  config.local_steps = 2;
  config.batch_size = 8;
  config.secure_aggregation.protocol = protocol;
  return config;
}

}  // namespace

TEST_CASE("secure aggregation leaves the model the plain run's bit for bit", "[federated][secure_aggregation]") {
  constexpr std::uint32_t n = 6;
  SynchronousFederated plain(secure_config(n, SecureAggregationProtocol::none), nullptr);
  run_all(plain, engine_for(n));
  for (SecureAggregationProtocol protocol : {SecureAggregationProtocol::secagg, SecureAggregationProtocol::secagg_plus}) {
    FederatedConfig config = secure_config(n, protocol);
    config.secure_aggregation.neighbours = 2;  // secagg+: a ring, fewer than the 5 others
    SynchronousFederated secure(config, nullptr);
    run_all(secure, engine_for(n));
    CHECK(server_model(secure) == server_model(plain));
    REQUIRE(secure.records().size() == 4);
    for (const FederatedRoundRecord& record : secure.records()) {
      CHECK(record.participants == n);
      CHECK(!record.abandoned);
      CHECK(record.secure_aggregation_s > 0);
      // The extra rounds take time: at least 6 one-way latencies (advertise, share, unmask).
      CHECK(record.ended - record.began > plain.records().front().ended - plain.records().front().began);
    }
  }
}

TEST_CASE("secure aggregation's bits follow the formulas exactly", "[federated][secure_aggregation]") {
  constexpr std::uint32_t n = 4;
  FederatedConfig plain_config = secure_config(n, SecureAggregationProtocol::none);
  plain_config.rounds = 1;
  SynchronousFederated plain(plain_config, nullptr);
  run_all(plain, engine_for(n));
  FederatedConfig config = plain_config;
  config.secure_aggregation.protocol = SecureAggregationProtocol::secagg;
  SynchronousFederated secure(config, nullptr);
  run_all(secure, engine_for(n));
  const std::uint64_t d = config.model->dimension();
  // Per client, m = 3 neighbours, 256-bit keys and shares, 32-bit ring:
  // advertise 64 down + 2 x 256 up; share 64 + 3 x 2 x 256 down, 3 x (2 x 256
  // + 64 + 128) up and forwarded down with the model; unmask 64 + 4 down,
  // 3 x (256 + 32) up.
  const std::uint64_t advertise_up = 512, share_down = 64 + 1536, shares = 3 * 704, unmask_down = 68,
                      unmask_up = 3 * 288;
  const std::uint64_t per_client = 64 + advertise_up + share_down + 2 * shares + unmask_down + unmask_up;
  const FederatedRoundRecord& record = secure.records().at(0);
  CHECK(record.secure_aggregation_bits == n * per_client);
  CHECK(plain.records().at(0).bits_up == n * (64 + 64 * d + 64));
  CHECK(record.bits_up == n * (advertise_up + shares + unmask_up + 64 + 32 * d + 64));
  CHECK(record.bits_down == plain.records().at(0).bits_down + n * (64 + share_down + shares + unmask_down));
  // The plan's own figures, checked against the same numbers.
  const SecureAggregationPlan plan(config.secure_aggregation, n, n, d);
  CHECK(plan.neighbours() == 3);
  CHECK(plan.threshold() == 2);  // half of 4
  CHECK(plan.share_reply_bits() == static_cast<std::int64_t>(shares));
  CHECK(plan.masked_payload_bits(false) == static_cast<std::int64_t>(32 * d));
  CHECK(plan.masked_payload_bits(true) == static_cast<std::int64_t>(64 * d));
}

TEST_CASE("secure aggregation abandons a round with fewer survivors than the threshold",
          "[federated][secure_aggregation]") {
  // 4 clients, client 1 crashed from the start; the deadline ends the advertise round with 3.
  constexpr std::uint32_t n = 4;
  for (const double threshold : {4.0, 3.0}) {
    FederatedConfig config = secure_config(n, SecureAggregationProtocol::secagg);
    config.rounds = 2;
    config.cohort.round_deadline = 100 * kLatency;
    config.crashes = {{1, 0}};
    config.secure_aggregation.threshold = threshold;
    EngineConfig engine = engine_for(n);
    engine.faults.crashes = config.crashes;
    const std::vector<double> initial = initial_server_model(config);
    SynchronousFederated secure(config, nullptr);
    run_all(secure, engine);
    REQUIRE(secure.records().size() == 2);
    for (const FederatedRoundRecord& record : secure.records()) {
      CHECK(record.abandoned == (threshold == 4.0));
      CHECK(record.participants == (threshold == 4.0 ? 0u : 3u));
      CHECK(record.dropped_failure == 1);
    }
    CHECK(secure.records().back().abandoned_so_far == (threshold == 4.0 ? 2u : 0u));
    CHECK((server_model(secure) == initial) == (threshold == 4.0));
  }
}

TEST_CASE("secagg+ costs less than secagg for large cohorts", "[federated][secure_aggregation]") {
  SecureAggregationConfig secagg;
  secagg.protocol = SecureAggregationProtocol::secagg;
  SecureAggregationConfig plus = secagg;
  plus.protocol = SecureAggregationProtocol::secagg_plus;
  constexpr std::uint32_t n = 1000;
  constexpr std::size_t d = 100000;
  const SecureAggregationPlan full(secagg, n, n, d), sparse(plus, n, n, d);
  CHECK(full.neighbours() == n - 1);
  // 3 log2 1000 = 29.9: the smallest even k above is 30.
  CHECK(sparse.neighbours() == 30);
  CHECK(sparse.share_reply_bits() * 999 == full.share_reply_bits() * 30);
  CHECK(sparse.share_request_bits() < full.share_request_bits());
  CHECK(sparse.masking_cost(false).flops < full.masking_cost(false).flops / 30);
  // 10% dropped after the share round.
  std::vector<std::uint32_t> members(n);
  std::vector<bool> survived(n, true);
  for (std::uint32_t i = 0; i < n; ++i) {
    members[i] = i;
    survived[i] = i % 10 != 0;
  }
  CHECK(sparse.reconstruction_cost(members, survived, false).flops <
        full.reconstruction_cost(members, survived, false).flops / 10);
  // The ring: client 0's neighbours are 1..15 and 985..999.
  CHECK(sparse.adjacent(0, 15));
  CHECK(sparse.adjacent(0, 985));
  CHECK(!sparse.adjacent(0, 16));
  CHECK(!sparse.adjacent(0, 0));
  // Small cohorts: the whole cohort.
  CHECK(SecureAggregationPlan(plus, 8, 8, d).neighbours() == 7);
}

TEST_CASE("secure aggregation is bit for bit the same on 1 and 2 threads", "[federated][secure_aggregation]") {
  constexpr std::uint32_t n = 8;
  FederatedConfig config = secure_config(n, SecureAggregationProtocol::secagg_plus);
  config.cohort.clients_per_round = 5;
  config.secure_aggregation.neighbours = 2;
  SynchronousFederated one(config, nullptr), two(config, nullptr);
  run_all(one, engine_for(n, 1));
  run_all(two, engine_for(n, 2));
  CHECK(server_model(one) == server_model(two));
  REQUIRE(one.records().size() == two.records().size());
  for (std::size_t i = 0; i < one.records().size(); ++i) {
    CHECK(one.records()[i].ended == two.records()[i].ended);
    CHECK(one.records()[i].secure_aggregation_bits == two.records()[i].secure_aggregation_bits);
  }
}

TEST_CASE("secure aggregation refuses what the server cannot do and bad parameters",
          "[federated][secure_aggregation]") {
  SecureAggregationConfig bad;
  bad.protocol = SecureAggregationProtocol::secagg;
  bad.threshold = 1.5;
  CHECK_THROWS_AS(validate(bad), std::invalid_argument);
  bad.threshold = 0;
  CHECK_THROWS_AS(validate(bad), std::invalid_argument);
  bad.threshold = 0.5;
  bad.neighbours = 3;
  CHECK_THROWS_AS(validate(bad), std::invalid_argument);
  bad.neighbours = 0;
  bad.ring_bits = 65;
  CHECK_THROWS_AS(validate(bad), std::invalid_argument);
  CHECK_THROWS_AS(parse_protocol("secagg++"), std::invalid_argument);
  CHECK(parse_protocol("secagg+") == SecureAggregationProtocol::secagg_plus);
  FederatedConfig config = secure_config(4, SecureAggregationProtocol::secagg);
  config.late_updates = LateUpdates::stale;
  CHECK_THROWS_AS(SynchronousFederated(config, nullptr), std::invalid_argument);
  // Power-of-choice's probe round is not combined with the key exchanges.
  config.late_updates = LateUpdates::drop;
  config.cohort.sampling = ClientSampling::power_of_choice;
  CHECK_NOTHROW(validate(config));
  config.cohort.probe = true;
  CHECK_THROWS_WITH(validate(config), Catch::Contains("probe round"));
  CHECK(survivors_needed(0.5, 5) == 3);
  CHECK(survivors_needed(0.5, 4) == 2);
  CHECK(survivors_needed(3, 10) == 3);
}

}  // namespace dlsim

namespace dlsim {

TEST_CASE("secure aggregation unmasks without the over-committed client it did not keep",
          "[federated][secure_aggregation]") {
  // 5 selected for K = 4: the fifth masked update is not kept, so the
  // server reconstructs its pairwise masks; the sum is still the 4 kept.
  constexpr std::uint32_t n = 5;
  FederatedConfig config = secure_config(n, SecureAggregationProtocol::secagg);
  config.rounds = 2;
  config.cohort.clients_per_round = 4;
  config.cohort.over_commit = 0.25;
  SynchronousFederated secure(config, nullptr);
  run_all(secure, engine_for(n));
  const std::vector<double> initial = initial_server_model(config);
  REQUIRE(secure.records().size() == 2);
  for (const FederatedRoundRecord& record : secure.records()) {
    CHECK(record.selected == 5);
    CHECK(record.participants == 4);
    CHECK(record.surplus == 1);
    CHECK(!record.abandoned);
  }
  CHECK(server_model(secure) != initial);
  config.secure_aggregation.protocol = SecureAggregationProtocol::none;
  SynchronousFederated plain(config, nullptr);
  run_all(plain, engine_for(n));
  // The same clients kept, so the same sum.
  for (std::uint32_t client = 0; client < n; ++client)
    CHECK(plain.participations(client) == secure.participations(client));
  CHECK(server_model(secure) == server_model(plain));
}

}  // namespace dlsim
