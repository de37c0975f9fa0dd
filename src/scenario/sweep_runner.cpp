// Running a sweep's points in parallel; see sweep_runner.hpp.
#include "scenario/sweep_runner.hpp"

#include <fmt/core.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

#include "scenario/experiment.hpp"
#include "scenario/experiment_builder.hpp"

namespace dlsim {

void check_points(const Sweep& sweep, const Shard& shard) {
  for (const SweepPoint& point : sweep.points()) {
    if (!shard.contains(point.index)) continue;
    try {
      check_experiment(sweep.scenario(point));
    } catch (const ScenarioError& error) {
      if (point.parameters.empty()) throw;
      std::string values;
      for (const SweepParameter& parameter : point.parameters)
        values += fmt::format("{}{}={}", values.empty() ? "" : ", ", parameter.path, parameter.literal);
      throw ScenarioError(fmt::format("{} (in the sweep point {})", error.what(), values));
    }
  }
}

SweepTally run_sweep(const Sweep& sweep, const SweepRunOptions& options) {
  std::vector<const SweepPoint*> selected;
  for (const SweepPoint& point : sweep.points())
    if (options.shard.contains(point.index)) selected.push_back(&point);

  SweepTally tally;
  tally.selected = selected.size();
  std::mutex mutex;  // guards tally, report and failure
  std::exception_ptr failure;
  std::atomic<std::size_t> next{0};
  std::size_t finished = 0;

  auto record = [&](const SweepPoint& point, std::string_view outcome, const std::string& detail) {
    std::lock_guard lock(mutex);
    ++finished;
    if (options.report)
      options.report(fmt::format("[{}/{}] {} {}: {}", finished, selected.size(), point.index, point.id,
                                 detail.empty() ? std::string(outcome) : fmt::format("{} ({})", outcome, detail)));
  };

  auto run_point = [&](const SweepPoint& point) {
    const std::string dir = (std::filesystem::path(options.out_dir) / point.id).string();
    const Scenario scenario = sweep.scenario(point);
    if (options.resume && point_is_done(dir, scenario)) {
      {
        std::lock_guard lock(mutex);
        ++tally.skipped;
      }
      record(point, "done before", "");
      return;
    }
    RunOptions run_options;
    run_options.out_dir = dir;
    run_options.threads = options.threads;
    run_options.quiet = true;  // parallel runs would garble one progress line
    const auto start = std::chrono::steady_clock::now();
    RunSummary summary;
    try {
      summary = run_scenario(scenario, run_options);
    } catch (const std::exception& error) {
      // Bad input found while building this point (a missing file, a graph
      // that cannot be built with these parameters): the point failed, the sweep goes on.
      summary.status = RunStatus::failed;
      summary.message = error.what();
      summary.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      write_failed_summary(dir, scenario, summary.message, summary.wall_seconds);
    }
    {
      std::lock_guard lock(mutex);
      switch (summary.status) {
        case RunStatus::completed: ++tally.completed; break;
        case RunStatus::stopped: ++tally.stopped; break;
        case RunStatus::diverged: ++tally.diverged; break;
        case RunStatus::stalled: ++tally.stalled; break;
        case RunStatus::failed: ++tally.failed; break;
      }
    }
    const std::string outcome = fmt::format("{} in {:.2f} s", run_status_name(summary.status), summary.wall_seconds);
    record(point, outcome, summary.status == RunStatus::completed ? "" : summary.message);
  };

  auto worker = [&] {
    for (;;) {
      {
        std::lock_guard lock(mutex);
        if (failure) return;
      }
      const std::size_t i = next.fetch_add(1);
      if (i >= selected.size()) return;
      try {
        run_point(*selected[i]);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
      }
    }
  };

  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) throw std::runtime_error(fmt::format("{}: cannot create the output folder: {}", options.out_dir, error.message()));
  const std::size_t jobs = std::max<std::size_t>(1, std::min(options.jobs, selected.size()));
  if (jobs == 1) {
    worker();
  } else {
    std::vector<std::jthread> workers;
    for (std::size_t j = 0; j < jobs; ++j) workers.emplace_back(worker);
  }
  if (failure) std::rethrow_exception(failure);
  return tally;
}

std::vector<std::optional<PointResult>> collect_results(const SweepPlan& plan, const std::string& out_dir,
                                                        const Shard& shard) {
  std::vector<std::optional<PointResult>> results(plan.points.size());
  for (std::size_t p = 0; p < plan.points.size(); ++p)
    if (shard.contains(plan.points[p].index))
      results[p] = read_point_result((std::filesystem::path(out_dir) / plan.points[p].id).string());
  return results;
}

}  // namespace dlsim
