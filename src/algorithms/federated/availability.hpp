// When a federated client can be reached: availability over simulated time.
//
// Design note. The server selects only clients that are available at the
// moment of selection (they have checked in as ready, as in Bonawitz et al.,
// "Towards federated learning at scale: system design", SysML 2019); it never
// knows when a client will leave. A selected client that is not available at
// every instant from its selection until it sends its update loses the
// update: it goes away, and checks in again when it is back. Every model is a
// pure function of (seed, client, time) evaluated on demand, so the server
// and the clients (events of different nodes, possibly on different threads)
// ask it without sharing state, and 10^6 clients cost nothing per client
// beyond a trace's intervals:
//   always     every client, always.
//   bernoulli  a client is available to a selection with probability p, drawn
//              from the stream (seed, client, "fed.availability", draw) where
//              the draw is keyed by the round (and the retry when no idle
//              client was available); once selected, it stays for the round.
//   markov     on/off with exponential up and down times (means mean_up,
//              mean_down), starting from the stationary distribution. Drawn
//              by uniformisation (Jensen 1953): events of a Poisson process
//              with rate a + b (a = 1/mean_up, b = 1/mean_down) each draw the
//              state afresh, up with probability b / (a + b), which is the
//              two-state chain exactly; the events of a block of 1/(a + b) of
//              time come from the stream (seed, client, block), so the state
//              at t is the draw of the last event before t, found by looking
//              back block by block (O(1) expected).
//   diurnal    p_i(t) = base + amplitude cos(2 pi (t / period + phase_i)),
//              phase_i uniform from the client's stream. Each cycle of the
//              client (one period, centred on its peak) draws u uniform on
//              [0, 1) and the client is available while p_i(t) > u: one
//              interval per cycle around the peak, so P(available at t) =
//              p_i(t) exactly and a client leaves when the evening comes.
//   trace      intervals read from a file (availability_trace.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "algorithms/federated/availability_trace.hpp"
#include "sim/node.hpp"
#include "sim/time.hpp"

namespace dlsim {

enum class AvailabilityKind { always, bernoulli, markov, diurnal, trace };

struct AvailabilityConfig {
  AvailabilityKind kind = AvailabilityKind::always;
  double probability = 1.0;             // bernoulli: p
  SimTime retry = 60'000'000'000;       // bernoulli: when no idle client is available, draw again after this long
  SimTime mean_up = 1'800'000'000'000;  // markov
  SimTime mean_down = 1'800'000'000'000;
  SimTime period = 86'400'000'000'000;  // diurnal: one day
  double base = 0.5;
  double amplitude = 0.0;
  std::shared_ptr<const AvailabilityTrace> trace;  // trace
};

std::string_view availability_name(AvailabilityKind kind);
// "always", "bernoulli", "markov", "diurnal", "trace"; std::invalid_argument listing them otherwise.
AvailabilityKind parse_availability(std::string_view name);
// std::invalid_argument, its message opening with the field's name (the
// scenario key), for what the kind cannot use: p
// outside [0, 1], retry <= 0, a mean or period <= 0, a diurnal p(t) outside
// [0, 1] at some time of the day, a trace missing or for another client count.
void validate(const AvailabilityConfig& config, std::uint32_t clients);

class ClientAvailability {
 public:
  // `config` must pass validate().
  ClientAvailability(AvailabilityConfig config, std::uint64_t seed);

  const AvailabilityConfig& config() const { return config_; }
  bool always() const { return config_.kind == AvailabilityKind::always; }
  // Whether availability changes with time (markov, diurnal, trace): only then can a client leave mid-round.
  bool time_varying() const;
  // Whether no client will ever be available again after `time` (bernoulli with
  // p = 0, diurnal never above 0); the server then stops waiting.
  bool never_available() const;

  // Whether `client` can be selected at `time` by the selection keyed `draw` (bernoulli only).
  bool available(NodeId client, SimTime time, std::uint64_t draw = 0) const;
  // Whether `client` is available at every instant of [from, to] (always and bernoulli: true).
  bool available_throughout(NodeId client, SimTime from, SimTime to) const;
  // The first instant >= `time` at which `client` is available; kNever when
  // none (diurnal: none within 10^5 periods). always and bernoulli: `time`.
  SimTime next_available(NodeId client, SimTime time) const;

  // Bernoulli's draw for a round and the server's retry within it.
  static std::uint64_t draw_key(std::uint64_t round, std::uint64_t retry);
  // diurnal: the client's phase in [0, 1) and p_i(t).
  double phase(NodeId client) const;
  double diurnal_probability(NodeId client, SimTime time) const;

 private:
  struct Window {
    SimTime start = 0, end = 0;  // [start, end); empty when start >= end
  };
  bool markov_up(NodeId client, SimTime time) const;
  // The first event after `time` that draws state `up`; kNever when none before the clock's end.
  SimTime markov_next(NodeId client, SimTime time, bool up) const;
  SimTime cycle_start(double phase, std::int64_t cycle) const;
  std::int64_t cycle_of(double phase, SimTime time) const;
  Window diurnal_window(NodeId client, double phase, std::int64_t cycle) const;

  AvailabilityConfig config_;
  std::uint64_t seed_;
  double rate_ = 0;     // markov: a + b per nanosecond
  double up_odds_ = 0;  // markov: b / (a + b)
  SimTime block_ = 1;   // markov: 1 / (a + b), at least 1 ns
};

}  // namespace dlsim
