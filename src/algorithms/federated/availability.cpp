// Client availability models; see availability.hpp.
#include "algorithms/federated/availability.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "sim/random.hpp"

namespace dlsim {
namespace {

constexpr std::uint64_t kBernoulliPurpose = purpose_id("fed.availability");
constexpr std::uint64_t kMarkovPurpose = purpose_id("fed.availability.markov");
constexpr std::uint64_t kDiurnalPurpose = purpose_id("fed.availability.diurnal");
// next_available gives up on a diurnal client after this many empty cycles.
constexpr std::int64_t kDiurnalSearchCycles = 100'000;

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

// ceil(nanoseconds) as a clock instant, held below the clock's end (a cycle
// boundary of a run near the end of time may lie beyond it).
SimTime instant_at(double nanoseconds) {
  return static_cast<SimTime>(std::min(std::ceil(nanoseconds), 9.2e18));
}

}  // namespace

std::string_view availability_name(AvailabilityKind kind) {
  switch (kind) {
    case AvailabilityKind::always: return "always";
    case AvailabilityKind::bernoulli: return "bernoulli";
    case AvailabilityKind::markov: return "markov";
    case AvailabilityKind::diurnal: return "diurnal";
    case AvailabilityKind::trace: return "trace";
  }
  return "always";
}

AvailabilityKind parse_availability(std::string_view name) {
  for (AvailabilityKind kind : {AvailabilityKind::always, AvailabilityKind::bernoulli, AvailabilityKind::markov,
                                AvailabilityKind::diurnal, AvailabilityKind::trace})
    if (availability_name(kind) == name) return kind;
  throw std::invalid_argument(
      fmt::format("unknown availability \"{}\" (always, bernoulli, markov, diurnal or trace)", name));
}

void validate(const AvailabilityConfig& config, std::uint32_t clients) {
  switch (config.kind) {
    case AvailabilityKind::always: return;
    case AvailabilityKind::bernoulli:
      require(config.probability >= 0 && config.probability <= 1,
              fmt::format("probability must be in [0, 1], got {}", config.probability));
      require(config.retry > 0, "retry must be positive");
      return;
    case AvailabilityKind::markov:
      require(config.mean_up > 0, "mean_up must be positive");
      require(config.mean_down > 0, "mean_down must be positive");
      return;
    case AvailabilityKind::diurnal:
      require(config.period > 0, "period must be positive");
      require(std::isfinite(config.amplitude) && config.amplitude >= 0,
              fmt::format("amplitude must not be negative, got {}", config.amplitude));
      require(std::isfinite(config.base) && config.base - config.amplitude >= 0 && config.base + config.amplitude <= 1,
              fmt::format("amplitude {} around base {} takes p(t) = base + amplitude cos(...) out of [0, 1] during "
                          "the day (to [{}, {}])",
                          config.amplitude, config.base, config.base - config.amplitude,
                          config.base + config.amplitude));
      return;
    case AvailabilityKind::trace:
      require(config.trace != nullptr, "the trace kind needs a trace file");
      require(config.trace->clients() == clients,
              fmt::format("the trace is for {} clients, the run has {}", config.trace->clients(), clients));
      return;
  }
}

ClientAvailability::ClientAvailability(AvailabilityConfig config, std::uint64_t seed)
    : config_(std::move(config)), seed_(seed) {
  if (config_.kind == AvailabilityKind::markov) {
    const double a = 1.0 / static_cast<double>(config_.mean_up);
    const double b = 1.0 / static_cast<double>(config_.mean_down);
    rate_ = a + b;
    up_odds_ = b / (a + b);
    block_ = std::max<SimTime>(1, static_cast<SimTime>(std::llround(1.0 / rate_)));
  }
}

bool ClientAvailability::time_varying() const {
  return config_.kind == AvailabilityKind::markov || config_.kind == AvailabilityKind::diurnal ||
         config_.kind == AvailabilityKind::trace;
}

bool ClientAvailability::never_available() const {
  if (config_.kind == AvailabilityKind::bernoulli) return config_.probability <= 0;
  if (config_.kind == AvailabilityKind::diurnal) return config_.base + config_.amplitude <= 0;
  return false;
}

std::uint64_t ClientAvailability::draw_key(std::uint64_t round, std::uint64_t retry) {
  return retry == 0 ? round : mix64(round, retry);
}

bool ClientAvailability::available(NodeId client, SimTime time, std::uint64_t draw) const {
  switch (config_.kind) {
    case AvailabilityKind::always: return true;
    case AvailabilityKind::bernoulli:
      return RandomStream(seed_, client, kBernoulliPurpose, draw).bernoulli(config_.probability);
    case AvailabilityKind::markov: return markov_up(client, time);
    case AvailabilityKind::diurnal: {
      const double phase = this->phase(client);
      const Window window = diurnal_window(client, phase, cycle_of(phase, time));
      return window.start <= time && time < window.end;
    }
    case AvailabilityKind::trace: return config_.trace->available(client, time);
  }
  return true;
}

bool ClientAvailability::available_throughout(NodeId client, SimTime from, SimTime to) const {
  switch (config_.kind) {
    case AvailabilityKind::always:
    case AvailabilityKind::bernoulli: return true;
    case AvailabilityKind::markov: return markov_up(client, from) && markov_next(client, from, false) > to;
    case AvailabilityKind::diurnal: {
      const double phase = this->phase(client);
      std::int64_t cycle = cycle_of(phase, from);
      Window window = diurnal_window(client, phase, cycle);
      if (!(window.start <= from && from < window.end)) return false;
      // Whole cycles join: the client stays while each window runs to the next cycle's start.
      while (window.end <= to) {
        if (window.end != cycle_start(phase, cycle + 1)) return false;
        ++cycle;
        window = diurnal_window(client, phase, cycle);
        if (window.start != cycle_start(phase, cycle) || window.start >= window.end) return false;
      }
      return true;
    }
    case AvailabilityKind::trace: return config_.trace->available_until(client, from) > to;
  }
  return true;
}

SimTime ClientAvailability::next_available(NodeId client, SimTime time) const {
  switch (config_.kind) {
    case AvailabilityKind::always:
    case AvailabilityKind::bernoulli: return time;
    case AvailabilityKind::markov: return markov_up(client, time) ? time : markov_next(client, time, true);
    case AvailabilityKind::diurnal: {
      if (never_available()) return kNever;
      const double phase = this->phase(client);
      const std::int64_t first = cycle_of(phase, time);
      for (std::int64_t cycle = first; cycle < first + kDiurnalSearchCycles; ++cycle) {
        const Window window = diurnal_window(client, phase, cycle);
        if (window.start < window.end && time < window.end) return std::max(window.start, time);
      }
      return kNever;
    }
    case AvailabilityKind::trace: return config_.trace->next_available(client, time);
  }
  return time;
}

// Markov: the state is the draw of the last uniformisation event at or
// before `time`, or the stationary initial draw when there is none.
bool ClientAvailability::markov_up(NodeId client, SimTime time) const {
  for (std::int64_t block = time / block_; block >= 0; --block) {
    RandomStream rng(seed_, client, kMarkovPurpose, static_cast<std::uint64_t>(block) + 1);
    const SimTime begin = block * block_;
    bool found = false, up = false;
    for (double offset = rng.exponential(1.0 / rate_); offset < static_cast<double>(block_);
         offset += rng.exponential(1.0 / rate_)) {
      const bool drawn = rng.uniform() < up_odds_;
      if (begin + static_cast<SimTime>(offset) > time) break;
      found = true;
      up = drawn;
    }
    if (found) return up;
  }
  return RandomStream(seed_, client, kMarkovPurpose, 0).uniform() < up_odds_;
}

SimTime ClientAvailability::markov_next(NodeId client, SimTime time, bool up) const {
  for (std::int64_t block = time / block_; block <= kLatestTime / block_ - 1; ++block) {
    RandomStream rng(seed_, client, kMarkovPurpose, static_cast<std::uint64_t>(block) + 1);
    const SimTime begin = block * block_;
    for (double offset = rng.exponential(1.0 / rate_); offset < static_cast<double>(block_);
         offset += rng.exponential(1.0 / rate_)) {
      const bool drawn = rng.uniform() < up_odds_;
      const SimTime at = begin + static_cast<SimTime>(offset);
      if (at > time && drawn == up) return at;
    }
  }
  return kNever;
}

double ClientAvailability::phase(NodeId client) const {
  return RandomStream(seed_, client, kDiurnalPurpose, 0).uniform();
}

double ClientAvailability::diurnal_probability(NodeId client, SimTime time) const {
  const double cycles = static_cast<double>(time) / static_cast<double>(config_.period) + phase(client);
  return config_.base + config_.amplitude * std::cos(2 * std::numbers::pi * cycles);
}

// Cycle k of a client runs from (k - phase - 1/2) period to (k - phase + 1/2)
// period: its peak, where t / period + phase = k, in the middle.
SimTime ClientAvailability::cycle_start(double phase, std::int64_t cycle) const {
  return instant_at((static_cast<double>(cycle) - phase - 0.5) * static_cast<double>(config_.period));
}

std::int64_t ClientAvailability::cycle_of(double phase, SimTime time) const {
  auto cycle = static_cast<std::int64_t>(
      std::floor(static_cast<double>(time) / static_cast<double>(config_.period) + phase + 0.5));
  // The rounded boundaries decide, so that consecutive cycles tile the clock.
  while (time < cycle_start(phase, cycle)) --cycle;
  while (time >= cycle_start(phase, cycle + 1)) ++cycle;
  return cycle;
}

ClientAvailability::Window ClientAvailability::diurnal_window(NodeId client, double phase, std::int64_t cycle) const {
  const SimTime low = cycle_start(phase, cycle), high = cycle_start(phase, cycle + 1);
  const double u = RandomStream(seed_, client, kDiurnalPurpose, static_cast<std::uint64_t>(cycle) + 1).uniform();
  if (config_.amplitude <= 0) return u < config_.base ? Window{low, high} : Window{low, low};
  // p(t) > u where cos(2 pi theta) > c, theta the offset from the peak in periods.
  const double c = (u - config_.base) / config_.amplitude;
  if (c < -1) return Window{low, high};
  if (c >= 1) return Window{low, low};
  const double half_width = std::acos(c) / (2 * std::numbers::pi);
  const double period = static_cast<double>(config_.period);
  const SimTime start = instant_at((static_cast<double>(cycle) - phase - half_width) * period);
  const SimTime end = instant_at((static_cast<double>(cycle) - phase + half_width) * period);
  return Window{std::max(start, low), std::min(end, high)};
}

}  // namespace dlsim
