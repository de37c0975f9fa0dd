// Parameter sweeps: the `[sweep]` table of a scenario file expanded into
// points, each a complete, validated scenario with a stable id and a seed.
//
//   [sweep]
//   "topology.kind" = ["ring", "torus"]                              # a list of values
//   "algorithm.learning_rate" = { logspace = [1e-3, 1e-1], count = 5 }
//   "network.loss" = { linspace = [0.0, 0.2], count = 3 }
//   zip = [["compression.kind", "compression.ratio"]]                # vary together
//   repeat = 3                                                       # seeds per point
//   seeds = "paired"                                                 # or "new"
//
// Points are the cartesian product of the axes (a single key, or a zip group
// whose lists have equal lengths) in the order the keys appear in the file,
// the first varying slowest, with the repetitions of a combination adjacent:
// index = combination * repeat + repetition.
//
// Index -> parameters -> seed -> id is a pure function of the file and the
// --set overrides (STYLE.md 5), so every shard, MPI rank or resumed run
// computes the same points:
// - seeds "paired" (default): repetition 0 runs with the scenario's seed and
//   repetition r with mix64(seed, r), the same for every point (paired
//   comparisons; a point with repetition 0 is exactly `dlsim run --set ...`);
// - seeds "new": mix64(mix64(seed, hash of the point's parameters), r), a
//   different seed per point and repetition (that does not change when other
//   values are added to the lists).
// Derived seeds are below 2^53, so that any JSON or CSV reader keeps them exact.
// - id: a readable prefix from the values (and "_r<repetition>" when repeat >
//   1) and 8 hex digits of a hash of the key=value list, the
//   repetition and the seed, e.g. "0.01_torus-5c1e93ab" (keys sorted, so
//   that reordering the table keeps every id).
//
// Every swept key must be a key the schema knows, and every point is
// validated like a scenario file with the values set as by --set; errors are
// ScenarioErrors naming the file, line, column and key path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"

namespace dlsim {

// More points than this is almost certainly a mistake in the [sweep] table.
inline constexpr std::size_t kMaxSweepPoints = 100'000;
inline constexpr std::int64_t kMaxSweepRepeat = 10'000;
inline constexpr std::int64_t kMaxSweepRangeCount = 10'000;

enum class SeedMode { paired, fresh };
std::string_view seed_mode_name(SeedMode mode);  // "paired", "new"

struct SweepParameter {
  std::string path;     // key path, e.g. "compression.ratio"
  std::string literal;  // the value as a TOML literal: 0.01, "ring", [64, 64]
  std::string text;     // as shown in listings and runs.csv: strings without quotes
};

struct SweepPoint {
  std::size_t index = 0;        // position in the expansion order
  std::size_t combination = 0;  // index / repeat
  std::int64_t repetition = 0;
  std::uint64_t seed = 0;       // the point's scenario seed
  std::string id;               // folder name of its results
  std::vector<SweepParameter> parameters;  // one per swept key, in Sweep::keys() order
};

class Sweep {
 public:
  const std::string& source() const { return source_; }
  const std::string& name() const { return name_; }  // the scenario's name
  // The swept key paths, in column order.
  const std::vector<std::string>& keys() const { return keys_; }
  const std::vector<SweepPoint>& points() const { return points_; }
  std::int64_t repeat() const { return repeat_; }
  SeedMode seed_mode() const { return seed_mode_; }
  // The length of each axis (a key or a zip group), outermost first.
  const std::vector<std::size_t>& axis_lengths() const { return axis_lengths_; }

  // The point's complete scenario: the file, the --set overrides, the point's
  // values and seed, with defaults filled in and without the [sweep] table.
  Scenario scenario(const SweepPoint& point) const;

 private:
  friend Sweep parse_sweep(std::string_view, const std::string&, const std::vector<std::string>&,
                           const Schema&);
  struct Value {
    std::string literal;
    std::string text;
    std::uint32_t line = 0, column = 0;  // where it was written (a range: where the range is)
  };
  toml::table point_document(const std::vector<const Value*>& values) const;

  std::string text_;
  std::string source_;
  std::vector<std::string> overrides_;
  const Schema* schema_ = nullptr;
  std::string name_;
  std::vector<std::string> keys_;
  std::vector<std::vector<Value>> values_;  // per key
  std::vector<std::size_t> axis_lengths_;
  std::int64_t repeat_ = 1;
  SeedMode seed_mode_ = SeedMode::paired;
  std::vector<SweepPoint> points_;
  std::vector<std::vector<std::size_t>> choice_;  // per combination: value index per key
};

// Parses the scenario text (as parse_scenario), its [sweep] table, and
// expands and validates every point. A scenario without a [sweep] table is a
// sweep of one point. Throws ScenarioError.
Sweep parse_sweep(std::string_view text, const std::string& source_name,
                  const std::vector<std::string>& overrides, const Schema& schema);
// Reads the file (refusing missing, unreadable or oversized files), then parse_sweep.
Sweep load_sweep(const std::string& path, const std::vector<std::string>& overrides, const Schema& schema);

// The points of shard `index` of `count`: those whose index is congruent to
// `index` modulo `count`. Shard {k, N} of MPI rank r of K is the shard
// {k + N * r, N * K}: shards and ranks compose.
struct Shard {
  std::size_t index = 0;
  std::size_t count = 1;
  bool contains(std::size_t point_index) const { return point_index % count == index; }
  Shard within(std::size_t part, std::size_t parts) const { return {index + count * part, count * parts}; }
};
// Parses "k/N" with 0 <= k < N; throws std::invalid_argument naming the text.
Shard parse_shard(std::string_view text);

}  // namespace dlsim
