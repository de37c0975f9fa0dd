// Running a sweep's points: `jobs` points at a time, each a run_scenario into
// its own folder OUT/<id>. A point that fails or diverges is recorded in its
// summary.json and the sweep goes on.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "scenario/sweep.hpp"
#include "scenario/sweep_results.hpp"

namespace dlsim {

struct SweepRunOptions {
  std::string out_dir;
  std::size_t jobs = 1;  // points run at the same time
  int threads = 1;       // threads of each run
  bool resume = false;   // skip points whose folder holds a finished run of the same scenario
  Shard shard;           // only these points
  // Called (serialised) with a line per point as it finishes or is skipped; empty = silent.
  std::function<void(const std::string&)> report;
};

struct SweepTally {
  std::size_t selected = 0;  // points of the shard
  std::size_t skipped = 0;   // already done (--resume)
  std::size_t completed = 0, stopped = 0, diverged = 0, stalled = 0, failed = 0;
};

// Every check run_scenario makes before it starts (check_experiment), for
// every point of `shard`, in index order, without running or writing
// anything. Throws ScenarioError for the first bad point, naming its values.
void check_points(const Sweep& sweep, const Shard& shard = {});

// Runs the shard's points. Throws only for what stops the whole sweep (the
// output folder cannot be written); a point's failure is its own result.
SweepTally run_sweep(const Sweep& sweep, const SweepRunOptions& options);

// The results of the points of `shard` found in OUT (nullopt for those
// without a summary), aligned with sweep.points(); others are nullopt.
std::vector<std::optional<PointResult>> collect_results(const SweepPlan& plan, const std::string& out_dir,
                                                        const Shard& shard = {});

}  // namespace dlsim
