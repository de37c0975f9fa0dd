// Running one scenario: build the experiment it describes (topology, network,
// data, model, algorithm), run it on the engine, evaluate metrics at the
// configured rounds, and write the results folder.
//
// Results: `metrics.csv` (one row per evaluation; host-independent, so
// bit-identical for any thread count) and `summary.json` (resolved scenario,
// seed, version, status, final figures, and under "host" the wall time,
// events per second, threads and peak memory). Both are written to a
// temporary name and renamed, so a killed run never leaves a result that
// looks complete.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "scenario/scenario.hpp"

namespace dlsim {

const Schema& scenario_schema();

// completed: every round done (or a stop target reached); stopped: a time
// limit ended it; diverged: a non-finite loss or consensus distance; stalled:
// no node can make progress any more (crashes, churn with synchronous rounds,
// lost messages), the message says who waits for whom; failed: an error.
enum class RunStatus { completed, stopped, diverged, stalled, failed };
std::string_view run_status_name(RunStatus status);

struct RunOptions {
  std::string out_dir;  // created if missing
  int threads = 1;
  bool quiet = false;    // no progress line
  bool verbose = false;  // a line per evaluation on stderr
  // Called with a one-line progress text; empty = a line on stderr when it is a terminal.
  std::function<void(const std::string&)> progress;
};

struct RunSummary {
  RunStatus status = RunStatus::failed;
  std::string message;                  // why it stopped, stalled, failed or diverged
  std::map<std::string, double> final;  // final figures: metrics of the last evaluation
  double wall_seconds = 0;
  std::uint64_t events = 0;
};

// Builds and runs `scenario`, writing into options.out_dir. Throws
// ScenarioError (bad input: exit status 2) for problems found while building
// (missing data file, disconnected graph, ...); a failure during the run is
// reported as status failed and written to the summary.
RunSummary run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace dlsim
