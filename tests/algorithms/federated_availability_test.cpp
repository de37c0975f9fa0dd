// Client availability against closed forms and exact counts: trace parsing
// and its refusals (file:line), bernoulli frequencies, the two-state Markov
// chain's stationary fraction and its transition probability
// P(up at t + h | up at t) = pi + (1 - pi) e^{-(a + b) h}, the diurnal p(t)
// and its frequencies; a server that never selects an unavailable client, a
// client that leaves mid-round (dropped_unavailable, its update lost, its
// check-in closing the round), a crashed client counted as a failure, and
// late updates kept as stale.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

#include "algorithms/federated/availability.hpp"
#include "algorithms/federated/client_table.hpp"
#include "algorithms/federated/local_training.hpp"
#include "algorithms/federated/synchronous_rounds.hpp"
#include "data/partition.hpp"
#include "data/synthetic.hpp"
#include "models/logistic.hpp"
#include "sim/engine.hpp"

using namespace dlsim;

namespace {

constexpr SimTime kLatency = 1'000'000;  // 1 ms

AvailabilityTrace trace_of(const std::string& text, std::uint32_t clients) {
  std::istringstream in(text);
  return AvailabilityTrace::parse(in, "trace.csv", clients);
}

std::string trace_error(const std::string& text, std::uint32_t clients = 4) {
  try {
    trace_of(text, clients);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "accepted";
}

FederatedConfig logistic_config(std::uint32_t clients) {
  RandomStream rng(3, 0, purpose_id("test.data"));
  FederatedConfig config;
  config.clients = clients;
  config.seed = 5;
  config.model = std::make_shared<LogisticRegression>(10, 1e-3);
  config.batches.data = std::make_shared<const Dataset>(make_logistic(LogisticSpec{100 * clients, 10, 0.0, 0.05}, rng));
  config.batches.partition = partition_contiguous(100 * clients, clients).indices;
  config.cohort.clients_per_round = clients;
  config.local.schedule.base = 0.5;
  return config;
}

EngineConfig engine_for(std::uint32_t clients) {
  EngineConfig engine;
  engine.nodes = clients + 1;
  engine.network.latency.base = kLatency;
  return engine;
}

void run_all(SynchronousFederated& behaviour, const EngineConfig& engine_config) {
  Engine engine(engine_config);
  engine.set_behaviour_all(&behaviour);
  while (engine.run_until(kNever - 1) == RunOutcome::stop_requested) {
  }
}

// Client `client`'s local work of one round, in ns, at the engine's rates.
SimTime compute_ns(const FederatedConfig& config, const EngineConfig& engine, NodeId client) {
  ClientTable table(config.batches.partition);
  LocalTrainer trainer(config, table);
  const ComputeCost cost = trainer.cost(client, MinibatchCursor{}, config.local_steps);
  const double seconds =
      std::max(cost.flops / engine.compute.flops_per_second, cost.bytes / engine.compute.bytes_per_second) /
      (engine.compute.speed_factor.empty() ? 1.0 : engine.compute.speed_factor[client]);
  return static_cast<SimTime>(std::ceil(seconds * 1e9));
}

// Within z standard deviations of a binomial proportion.
bool near_proportion(double observed, double p, double draws, double z = 4.5) {
  return std::abs(observed - p) <= z * std::sqrt(std::max(p * (1 - p), 1e-12) / draws) + 1e-12;
}

}  // namespace

TEST_CASE("an availability trace is read into sorted, merged intervals per client", "[federated]") {
  const AvailabilityTrace trace = trace_of(
      "# a comment\nclient,start_s,end_s\n2, 10, 20\n0,0,5\n2,0.5,1\n\n2,20,30\n1,1e3,2e3\n", 4);
  CHECK(trace.intervals() == 4);  // 2's [10, 20) and [20, 30) are one
  REQUIRE(trace.starts(2).size() == 2);
  CHECK(trace.starts(2)[0] == kSecond / 2);
  CHECK(trace.ends(2)[1] == 30 * kSecond);
  CHECK(trace.starts(3).empty());
  CHECK(trace.available(0, 0));
  CHECK(!trace.available(0, 5 * kSecond));  // [start, end)
  CHECK(trace.available(2, 20 * kSecond));
  CHECK(trace.available_until(2, 15 * kSecond) == 30 * kSecond);
  CHECK(trace.next_available(2, 2 * kSecond) == 10 * kSecond);
  CHECK(trace.next_available(2, 30 * kSecond) == kNever);
  CHECK(trace.next_available(3, 0) == kNever);
  CHECK(trace.next_available(1, 1500 * kSecond) == 1500 * kSecond);
}

TEST_CASE("an availability trace refuses bad rows, naming file and line", "[federated]") {
  CHECK_THAT(trace_error("0,0,1\n4,0,1\n"), Catch::Contains("trace.csv:2:") && Catch::Contains("client 4 is unknown"));
  CHECK_THAT(trace_error("0,-1,1\n"), Catch::Contains("trace.csv:1:") && Catch::Contains("not negative"));
  CHECK_THAT(trace_error("0,nan,1\n"), Catch::Contains("trace.csv:1:") && Catch::Contains("finite"));
  CHECK_THAT(trace_error("0,0,inf\n"), Catch::Contains("trace.csv:1:") && Catch::Contains("finite"));
  CHECK_THAT(trace_error("0,0,1e300\n"), Catch::Contains("trace.csv:1:") && Catch::Contains("clock"));
  CHECK_THAT(trace_error("\n0,5,5\n"), Catch::Contains("trace.csv:2:") && Catch::Contains("ends at or before"));
  CHECK_THAT(trace_error("1,0,10\n0,0,1\n1,9,12\n"),
             Catch::Contains("trace.csv:3:") && Catch::Contains("overlaps") && Catch::Contains("line 1"));
  CHECK_THAT(trace_error("0,0,1,2\n"), Catch::Contains("trace.csv:1:") && Catch::Contains("client,start_s,end_s"));
  CHECK_THAT(trace_error("0,0,1\nclient,start,end\n"), Catch::Contains("trace.csv:2:") && Catch::Contains("integer"));
  CHECK_THAT(trace_error("0,abc,1\n"), Catch::Contains("trace.csv:1:") && Catch::Contains("not a number"));
  CHECK_THAT(trace_error("-1,0,1\n"), Catch::Contains("trace.csv:1:"));
  CHECK_THAT(trace_error("garbage\n"), Catch::Contains("trace.csv:1:"));
  CHECK(trace_error("") == "accepted");  // nobody is ever available: the run stalls, it is not refused
}

TEST_CASE("bernoulli availability has frequency p, the same for the same draw", "[federated]") {
  AvailabilityConfig config;
  config.kind = AvailabilityKind::bernoulli;
  config.probability = 0.3;
  const ClientAvailability availability(config, 9);
  std::uint64_t available = 0, draws = 0;
  for (NodeId client = 0; client < 1000; ++client)
    for (std::uint64_t round = 0; round < 100; ++round) {
      const std::uint64_t draw = ClientAvailability::draw_key(round, round % 3);
      const bool up = availability.available(client, 0, draw);
      CHECK(availability.available(client, 12345, draw) == up);  // the draw decides, not the time
      available += up;
      ++draws;
    }
  CHECK(near_proportion(static_cast<double>(available) / static_cast<double>(draws), 0.3, static_cast<double>(draws)));
  CHECK(availability.available_throughout(3, 0, 1000 * kSecond));  // selected: it stays for the round
  config.probability = 0;
  CHECK(ClientAvailability(config, 9).never_available());
}

TEST_CASE("markov availability: stationary fraction and the two-state transition law", "[federated]") {
  // a = 1 / mean_up, b = 1 / mean_down, pi = mean_up / (mean_up + mean_down);
  // P(up at t + h | up at t) = pi + (1 - pi) exp(-(a + b) h).
  AvailabilityConfig config;
  config.kind = AvailabilityKind::markov;
  config.mean_up = 30 * kSecond;
  config.mean_down = 10 * kSecond;
  const ClientAvailability availability(config, 4);
  const double pi = 0.75, rate = 1.0 / 30 + 1.0 / 10;
  const SimTime h = 5 * kSecond;
  double up = 0, samples = 0, stayed = 0, up_before = 0;
  for (NodeId client = 0; client < 2000; ++client)
    for (int k = 0; k < 20; ++k) {
      const SimTime t = (k * 997 + client % 13) * kSecond;  // far apart: nearly independent samples
      const bool now = availability.available(client, t);
      up += now;
      ++samples;
      if (now) {
        ++up_before;
        stayed += availability.available(client, t + h);
        // Up throughout [t, t + h] implies up at t + h; never the reverse order.
        if (availability.available_throughout(client, t, t + h)) CHECK(availability.available(client, t + h));
      } else {
        const SimTime back = availability.next_available(client, t);
        REQUIRE(back > t);
        CHECK(availability.available(client, back));
        CHECK(!availability.available(client, back - 1));
      }
    }
  CHECK(near_proportion(up / samples, pi, samples / 4));  // samples of one client are correlated a little
  CHECK(near_proportion(stayed / up_before, pi + (1 - pi) * std::exp(-rate * 5), up_before / 4));
}

TEST_CASE("diurnal availability follows p(t) = base + amplitude cos(2 pi (t / period + phase))", "[federated]") {
  AvailabilityConfig config;
  config.kind = AvailabilityKind::diurnal;
  config.period = 24 * 3600 * kSecond;
  config.base = 0.5;
  config.amplitude = 0.4;
  const ClientAvailability availability(config, 8);
  // The closed form.
  for (NodeId client : {0u, 7u, 1000u}) {
    const double phase = availability.phase(client);
    REQUIRE(phase >= 0);
    REQUIRE(phase < 1);
    for (SimTime t : {SimTime{0}, 3600 * kSecond, 40'000 * kSecond, 10 * config.period + 17})
      CHECK(availability.diurnal_probability(client, t) ==
            Approx(0.5 + 0.4 * std::cos(2 * std::numbers::pi * (static_cast<double>(t) / 86400e9 + phase)))
                .margin(1e-9));
  }
  // One client at one time of day over many days: frequency p_i(t).
  for (NodeId client : {3u, 11u}) {
    const SimTime t0 = 5 * 3600 * kSecond;
    double up = 0;
    constexpr int kDays = 20000;
    for (int day = 0; day < kDays; ++day) up += availability.available(client, t0 + day * config.period);
    CHECK(near_proportion(up / kDays, availability.diurnal_probability(client, t0), kDays));
  }
  // A population at one instant: the phases are uniform, so the mean is base.
  double up = 0;
  for (NodeId client = 0; client < 20000; ++client) up += availability.available(client, 7 * 3600 * kSecond);
  CHECK(near_proportion(up / 20000, 0.5, 20000));
  // One interval per cycle: available from next_available until it leaves.
  for (NodeId client = 0; client < 50; ++client) {
    const SimTime back = availability.next_available(client, 1000 * kSecond);
    REQUIRE(back != kNever);
    CHECK(availability.available(client, back));
    CHECK(availability.available_throughout(client, back, back));
  }
  config.base = 0;
  config.amplitude = 0;
  CHECK(ClientAvailability(config, 8).next_available(0, 0) == kNever);
}

TEST_CASE("a client leaves exactly where available_throughout says it does", "[federated]") {
  // For markov, diurnal and trace: from an available instant t, the first L
  // with !available_throughout(t, L) (found by bisection: it is monotone in
  // L) is an instant at which the client is not available, and L - 1 one at
  // which it is; and next_available(L) is the next instant it is.
  AvailabilityConfig markov;
  markov.kind = AvailabilityKind::markov;
  markov.mean_up = 7 * kSecond;
  markov.mean_down = 3 * kSecond;
  AvailabilityConfig diurnal;
  diurnal.kind = AvailabilityKind::diurnal;
  diurnal.period = 100 * kSecond;
  diurnal.base = 0.6;
  diurnal.amplitude = 0.4;
  AvailabilityConfig trace;
  trace.kind = AvailabilityKind::trace;
  trace.trace = std::make_shared<const AvailabilityTrace>(trace_of("0,0,10\n0,10,25\n0,40,41\n1,3,500\n", 2));
  for (const AvailabilityConfig& config : {markov, diurnal, trace}) {
    CAPTURE(availability_name(config.kind));
    const ClientAvailability availability(config, 21);
    int leaves = 0;
    for (NodeId client = 0; client < 2; ++client)
      for (SimTime t = 0; t < 300 * kSecond; t += 7 * kSecond + 123) {
        if (!availability.available(client, t)) continue;
        SimTime low = t, high = t + 400 * kSecond;  // throughout(t, low) holds
        if (availability.available_throughout(client, t, high)) continue;
        while (high - low > 1) {
          const SimTime middle = low + (high - low) / 2;
          (availability.available_throughout(client, t, middle) ? low : high) = middle;
        }
        ++leaves;
        CHECK(availability.available(client, low));
        CHECK(!availability.available(client, high));
        const SimTime back = availability.next_available(client, high);
        if (back != kNever) {
          CHECK(back > high);
          CHECK(availability.available(client, back));
          CHECK(!availability.available(client, back - 1));
        }
      }
    CHECK(leaves > 0);
  }
}

TEST_CASE("availability refuses what no run can use", "[federated]") {
  AvailabilityConfig config;
  config.kind = AvailabilityKind::bernoulli;
  config.probability = 1.5;
  CHECK_THROWS_WITH(validate(config, 4), Catch::Contains("probability"));
  config = {};
  config.kind = AvailabilityKind::markov;
  config.mean_down = 0;
  CHECK_THROWS_WITH(validate(config, 4), Catch::Contains("mean_down"));
  config = {};
  config.kind = AvailabilityKind::diurnal;
  config.base = 0.8;
  config.amplitude = 0.3;
  CHECK_THROWS_WITH(validate(config, 4), Catch::Contains("[0, 1]"));
  config = {};
  config.kind = AvailabilityKind::trace;
  CHECK_THROWS_WITH(validate(config, 4), Catch::Contains("trace"));
  config.trace = std::make_shared<const AvailabilityTrace>(trace_of("0,0,1\n", 3));
  CHECK_THROWS_WITH(validate(config, 4), Catch::Contains("3 clients"));
  CHECK_THROWS_WITH(parse_availability("sometimes"), Catch::Contains("diurnal"));
}

TEST_CASE("a client that the trace never makes available is never selected", "[federated]") {
  // 8 clients, K = 3; clients 2 and 5 have no interval, client 6 only from
  // t = 10^6 s on (after the run): over 60 rounds none of them trains.
  constexpr std::uint32_t n = 8;
  FederatedConfig config = logistic_config(n);
  config.rounds = 60;
  config.cohort.clients_per_round = 3;
  config.availability.kind = AvailabilityKind::trace;
  config.availability.trace = std::make_shared<const AvailabilityTrace>(
      trace_of("0,0,1e5\n1,0,1e5\n3,0,1e5\n4,0,1e5\n6,1e6,2e6\n7,0,1e5\n", n));
  SynchronousFederated fedavg(config, nullptr);
  run_all(fedavg, engine_for(n));
  REQUIRE(fedavg.rounds_completed(0) == 60);
  std::uint64_t total = 0;
  for (NodeId client = 0; client < n; ++client) total += fedavg.participations(client);
  CHECK(total == 60 * 3);
  CHECK(fedavg.participations(2) == 0);
  CHECK(fedavg.participations(5) == 0);
  CHECK(fedavg.participations(6) == 0);
  for (NodeId client : {0u, 1u, 3u, 4u, 7u}) CHECK(fedavg.participations(client) > 0);
  for (const FederatedRoundRecord& record : fedavg.records()) CHECK(record.dropped_unavailable == 0);
}

TEST_CASE("a client whose interval ends mid-round loses its update and is counted dropped_unavailable", "[federated]") {
  // 4 clients, all selected; client 2's interval ends halfway through its
  // local work. With a deadline the round closes then with 3 updates; without
  // one, client 2 checks in when its next interval begins and the round
  // closes at that check-in (every selected client reported).
  constexpr std::uint32_t n = 4;
  FederatedConfig config = logistic_config(n);
  config.rounds = 1;
  config.local_steps = 20;
  EngineConfig engine = engine_for(n);
  engine.compute.flops_per_second = 1e6;
  const SimTime work = compute_ns(config, engine, 2);
  const SimTime leaves = kLatency + work / 2, back = 10 * (2 * kLatency + work);
  std::ostringstream trace;
  trace << "0,0,1e4\n1,0,1e4\n3,0,1e4\n2,0," << to_seconds(leaves) << "\n2," << to_seconds(back) << ",1e4\n";
  config.availability.kind = AvailabilityKind::trace;
  config.availability.trace = std::make_shared<const AvailabilityTrace>(trace_of(trace.str(), n));

  SECTION("a deadline closes the round") {
    config.cohort.round_deadline = 3 * (2 * kLatency + work);
    SynchronousFederated fedavg(config, nullptr);
    run_all(fedavg, engine);
    const FederatedRoundRecord& record = fedavg.records().at(0);
    CHECK(record.selected == 4);
    CHECK(record.participants == 3);
    CHECK(record.dropped_unavailable == 1);
    CHECK(record.dropped_deadline == 0);
    CHECK(record.ended >= config.cohort.round_deadline);
    CHECK(fedavg.participations(2) == 0);
  }
  SECTION("its check-in closes the round") {
    SynchronousFederated fedavg(config, nullptr);
    run_all(fedavg, engine);
    const FederatedRoundRecord& record = fedavg.records().at(0);
    CHECK(record.participants == 3);
    CHECK(record.dropped_unavailable == 1);
    CHECK(record.ended >= back + kLatency);
    CHECK(fedavg.participations(2) == 0);
  }
}

TEST_CASE("late_updates = stale aggregates a late update with the next round", "[federated]") {
  // Client 3 is four times slower; the deadline falls between the others'
  // arrival and its own, so round 0 closes without it, and its update
  // arrives while round 1 (the three others) runs: stale, it joins round 1.
  constexpr std::uint32_t n = 4;
  FederatedConfig config = logistic_config(n);
  config.rounds = 2;
  config.local_steps = 20;
  EngineConfig engine = engine_for(n);
  engine.compute.flops_per_second = 1e6;
  engine.compute.speed_factor = {1.0, 1.0, 1.0, 0.25, 1.0};
  const SimTime work = compute_ns(config, engine, 0);
  REQUIRE(compute_ns(config, engine, 3) == 4 * work);
  config.cohort.round_deadline = 2 * kLatency + 3 * work + work / 2;

  SynchronousFederated dropping(config, nullptr);
  run_all(dropping, engine);
  config.late_updates = LateUpdates::stale;
  SynchronousFederated keeping(config, nullptr);
  run_all(keeping, engine);
  for (const SynchronousFederated* run : {&dropping, &keeping}) {
    REQUIRE(run->records().size() == 2);
    CHECK(run->records()[0].participants == 3);
    CHECK(run->records()[0].dropped_deadline == 1);
    CHECK(run->records()[1].selected == 3);  // client 3 was still busy
    CHECK(run->records()[1].participants == 3);
  }
  CHECK(dropping.records()[1].stale_updates == 0);
  CHECK(dropping.participations(3) == 0);
  CHECK(keeping.records()[1].stale_updates == 1);
  CHECK(keeping.participations(3) == 1);
  const std::vector<double> a(dropping.model(0).begin(), dropping.model(0).end());
  const std::vector<double> b(keeping.model(0).begin(), keeping.model(0).end());
  CHECK(a != b);

  // Staleness weighting. Round 1 averages three fresh updates (weight 100,
  // their mean m) and client 3's, one round stale (tau = 1), of weight
  // 100 s, s = (1 + tau)^-a: its step is D(s) = (300 m + 100 s d_3) / (300 +
  // 100 s). D(0) = m (a huge a: as if dropped), and D(1) (s constant) gives
  // 100 d_3 = 400 D(1) - 300 m, so the default a = 1/2 must step by
  // D(s) = (300 (1 - s) D(0) + 400 s D(1)) / (300 + 100 s), s = 2^-1/2.
  auto run = [&](StalenessFunction function, double exponent, std::uint64_t rounds) {
    FederatedConfig weighted = config;
    weighted.rounds = rounds;
    weighted.asynchronous.function = function;
    weighted.asynchronous.exponent = exponent;
    SynchronousFederated fedavg(weighted, nullptr);
    run_all(fedavg, engine);
    if (rounds == 2) CHECK(fedavg.records()[1].stale_updates == 1);
    return std::vector<double>(fedavg.model(0).begin(), fedavg.model(0).end());
  };
  const std::vector<double> x1 = run(StalenessFunction::constant, 0, 1);
  const std::vector<double> constant = run(StalenessFunction::constant, 0, 2);
  CHECK(run(StalenessFunction::polynomial, 0, 2) == constant);  // (1 + tau)^0 = 1
  const std::vector<double> negligible = run(StalenessFunction::polynomial, 1000, 2);
  for (std::size_t k = 0; k < a.size(); ++k) CHECK(std::abs(negligible[k] - a[k]) <= 1e-12);
  const std::vector<double> half = run(StalenessFunction::polynomial, 0.5, 2);
  CHECK(half == b);  // the default
  CHECK(half != constant);
  const double weight = std::pow(2.0, -0.5);
  for (std::size_t k = 0; k < a.size(); ++k) {
    const double d0 = a[k] - x1[k], d1 = constant[k] - x1[k];
    const double expected = (300 * (1 - weight) * d0 + 400 * weight * d1) / (300 + 100 * weight);
    CHECK(std::abs((half[k] - x1[k]) - expected) <= 1e-12);
  }
}

TEST_CASE("10^6 clients with markov availability: a few rounds, a byte per idle client", "[.][federated-scale]") {
  // Hidden (run by tag): samples generated on demand, K = 100, 20 rounds.
  constexpr std::uint32_t n = 1'000'000;
  FederatedConfig config;
  config.clients = n;
  config.seed = 3;
  config.model = std::make_shared<LogisticRegression>(10, 1e-3);
  config.batches.generated_dim = 10;
  config.batches.generate = [](NodeId, std::size_t count, RandomStream& rng, Dataset& out) {
    out.dim = 10;
    out.num_classes = 2;
    out.dense.resize(count * 10);
    out.targets.resize(count);
    out.classes.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      double margin = 0;
      for (std::size_t k = 0; k < 10; ++k) {
        out.dense[i * 10 + k] = static_cast<float>(rng.normal());
        margin += out.dense[i * 10 + k] * (k % 2 ? 1.0 : -1.0);
      }
      out.targets[i] = margin > 0 ? 1 : -1;
      out.classes[i] = margin > 0 ? 1 : 0;
    }
  };
  config.cohort.clients_per_round = 100;
  config.cohort.round_deadline = 50 * kLatency;
  config.rounds = 20;
  config.availability.kind = AvailabilityKind::markov;
  config.availability.mean_up = 20 * kLatency;
  config.availability.mean_down = 10 * kLatency;
  SynchronousFederated fedavg(config, nullptr);
  run_all(fedavg, engine_for(n));
  CHECK(fedavg.rounds_completed(0) == 20);
  std::uint64_t unavailable = 0;
  for (const FederatedRoundRecord& record : fedavg.records()) unavailable += record.dropped_unavailable;
  CHECK(unavailable > 0);
  for (const auto& [name, value] : fedavg.summary_figures())
    if (name == "idle_client_bytes") CHECK(value == 70);  // 53 + the away flag + 16 of bits up and down
}

TEST_CASE("a selected client that crashed is counted as dropped_failure, not dropped_deadline", "[federated]") {
  // 4 clients, all selected; client 1 crashes at 0.5 ms, before the model
  // reaches it; the deadline closes the round with the 3 others.
  constexpr std::uint32_t n = 4;
  FederatedConfig config = logistic_config(n);
  config.rounds = 1;
  config.cohort.round_deadline = 100 * kLatency;
  config.crashes = {{1, kLatency / 2}};
  EngineConfig engine = engine_for(n);
  engine.faults.crashes = config.crashes;
  SynchronousFederated fedavg(config, nullptr);
  run_all(fedavg, engine);
  const FederatedRoundRecord& record = fedavg.records().at(0);
  CHECK(record.participants == 3);
  CHECK(record.dropped_failure == 1);
  CHECK(record.dropped_deadline == 0);
  CHECK(record.dropped_unavailable == 0);
  CHECK(fedavg.participations(1) == 0);
}

namespace {

// Forwards one client's hooks to the federated behaviour and records when its
// churn outages began (the engine's go-down times, seen when it rejoins).
struct OutageProbe final : NodeBehaviour {
  explicit OutageProbe(NodeBehaviour& inner) : inner(inner) {}
  void on_start(Context& ctx) override {
    if (ctx.rejoining()) outages.push_back(ctx.outage_began());
    inner.on_start(ctx);
  }
  void on_message(Context& ctx, NodeId from, const Message& message) override { inner.on_message(ctx, from, message); }
  void on_timer(Context& ctx, std::uint64_t tag) override { inner.on_timer(ctx, tag); }
  void on_compute_done(Context& ctx, std::uint64_t tag) override { inner.on_compute_done(ctx, tag); }
  NodeBehaviour& inner;
  std::vector<SimTime> outages;
};

double summary_figure(const SynchronousFederated& run, const std::string& name) {
  for (const auto& [key, value] : run.summary_figures())
    if (key == name) return value;
  return -1;
}

}  // namespace

TEST_CASE("a churn outage that outlasts the round counts as dropped_failure once the client checks in", "[federated]") {
  // 4 clients, all selected, deadline 10 ms; only client 1 churns. Its
  // outages last 1000 s on average, so it is still down at the close: the
  // server counts it as dropped_deadline then (nobody has heard of the
  // outage) and moves it to dropped_failure when it checks in, since the
  // outage began before the close. An outage that begins after the close
  // found the client merely late, and it stays dropped_deadline.
  constexpr std::uint32_t n = 4;
  FederatedConfig config = logistic_config(n);
  config.rounds = 1;
  config.cohort.round_deadline = 10 * kLatency;
  EngineConfig engine_config = engine_for(n);
  engine_config.faults.churn_nodes = {1};
  engine_config.faults.churn_mean_down = 1'000'000'000'000;  // 1000 s

  SECTION("down before the model reaches it") {
    engine_config.faults.churn_mean_up = 1;  // 1 ns
    SynchronousFederated fedavg(config, nullptr);
    OutageProbe probe(fedavg);
    Engine engine(engine_config);
    engine.set_behaviour_all(&fedavg);
    engine.set_behaviour(1, &probe);
    engine.run_until(config.cohort.round_deadline + 5 * kLatency);
    REQUIRE(fedavg.records().size() == 1);
    // At the close nobody knows of the outage yet.
    CHECK(fedavg.records()[0].dropped_deadline == 1);
    CHECK(fedavg.records()[0].dropped_failure == 0);
    engine.run_until(100'000 * std::int64_t{1'000'000'000});
    REQUIRE(!probe.outages.empty());
    REQUIRE(probe.outages.front() < kLatency);  // the model found it down
    const FederatedRoundRecord& record = fedavg.records()[0];
    CHECK(record.participants == 3);
    CHECK(record.dropped_deadline == 0);
    CHECK(record.dropped_failure == 1);
    CHECK(record.surplus == 0);
    CHECK(summary_figure(fedavg, "dropped_failure") == 1);
    CHECK(summary_figure(fedavg, "dropped_deadline") == 0);
  }
  SECTION("down after the close") {
    // Client 1 is 10^4 times slower (its update would take seconds) and goes
    // down after about 1 s: after the close, before its update could leave.
    engine_config.compute.flops_per_second = 1e6;
    engine_config.compute.speed_factor = {1.0, 1e-4, 1.0, 1.0, 1.0};
    engine_config.faults.churn_mean_up = 1'000'000'000;  // 1 s
    SynchronousFederated fedavg(config, nullptr);
    OutageProbe probe(fedavg);
    Engine engine(engine_config);
    engine.set_behaviour_all(&fedavg);
    engine.set_behaviour(1, &probe);
    engine.run_until(100'000 * std::int64_t{1'000'000'000});
    REQUIRE(!probe.outages.empty());
    REQUIRE(probe.outages.front() > fedavg.records().at(0).closed);
    REQUIRE(probe.outages.front() < 2 * kLatency + compute_ns(config, engine_config, 1));
    const FederatedRoundRecord& record = fedavg.records()[0];
    CHECK(record.dropped_deadline == 1);
    CHECK(record.dropped_failure == 0);
    CHECK(fedavg.participations(1) == 0);
  }
}
