// What a sweep leaves in its output folder DIR, and reading it back:
//   DIR/sweep.json   the plan: every point's index, id, repetition, seed and
//                    parameters (written before any point runs)
//   DIR/<id>/        one folder per point: run_scenario's metrics.csv and
//                    summary.json (the summary is written last and atomically,
//                    so its presence marks a finished run)
//   DIR/runs.csv     one row per point, assembled from the summaries at the
//                    end: a killed and resumed sweep gives the same file as an
//                    uninterrupted one (but for the host-dependent last
//                    column, wall_seconds)
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/sweep.hpp"

namespace dlsim {

struct SweepPlan {
  std::string scenario;           // the scenario file
  std::vector<std::string> keys;  // swept key paths, in column order
  std::vector<SweepPoint> points;
};

SweepPlan sweep_plan(const Sweep& sweep);
std::string plan_json(const SweepPlan& plan);
// Reads a sweep.json; throws std::invalid_argument naming the file when it is missing or malformed.
SweepPlan read_plan(const std::string& path);

// A point's outcome, as read from its summary.json.
struct PointResult {
  std::string status;  // completed | stopped | diverged | stalled | failed
  std::string message;
  std::map<std::string, double> final;
  double wall_seconds = 0;
};

// Reads DIR/summary.json; nullopt when there is none or it cannot be read.
std::optional<PointResult> read_point_result(const std::string& point_dir);
// The same, to and from one line of JSON (MPI ranks send results to rank 0).
std::string point_result_json(const PointResult& result);
PointResult parse_point_result(const std::string& json);

// True for the statuses that running the point again would reproduce exactly:
// completed, diverged and stalled (not stopped by the wall clock, not failed).
bool is_final_status(std::string_view status);

// True when the folder holds a finished run (is_final_status) of exactly this
// scenario and seed; resume skips it.
bool point_is_done(const std::string& point_dir, const Scenario& scenario);

// Writes the summary.json of a point whose run could not start (run_scenario
// threw while building it), so that it is recorded as failed.
void write_failed_summary(const std::string& point_dir, const Scenario& scenario, const std::string& message,
                          double wall_seconds);

// runs.csv: id, index, repetition, seed, the swept keys, status, message, the
// final figures (the union over all points, sorted by name), wall_seconds.
// `results` is aligned with plan.points; a point without a result has status
// "missing" and empty cells.
std::string runs_csv(const SweepPlan& plan, const std::vector<std::optional<PointResult>>& results);

// Writes through a temporary file unique to this process and renames it over
// `path`, so that concurrent writers (shards, ranks) and kills never leave a
// partial file. Throws std::runtime_error naming the path.
void write_file_replacing(const std::string& path, const std::string& content);

}  // namespace dlsim
