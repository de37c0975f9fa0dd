// dlsim sweep: list, run (in parallel, sharded, over MPI ranks) and merge the
// points of a scenario's [sweep] table.
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.hpp"
#include "cli/process_group.hpp"
#include "cli/worker_limit.hpp"
#include "scenario/experiment.hpp"
#include "scenario/sweep_lock.hpp"
#include "scenario/sweep_runner.hpp"
#include "sim/random.hpp"

namespace dlsim::cli {
namespace {

struct SweepCommandOptions {
  std::string scenario;
  std::vector<std::string> overrides;
  std::size_t jobs = 0;  // 0: the machine's cores / (threads x ranks on it)
  int threads = 1;
  std::string out_dir;
  std::string shard;
  std::string merge;
  bool resume = false;
  bool list = false;
  bool quiet = false;
};

void print_list(const Sweep& sweep, const Shard& shard, bool sharded) {
  std::string shape;
  for (const std::size_t length : sweep.axis_lengths()) shape += fmt::format("{}{}", shape.empty() ? "" : " x ", length);
  if (shape.empty()) shape = "1";
  fmt::print("{}: {} points = {} combinations x {} repetition{} (seeds {})\n", sweep.source(),
             sweep.points().size(), shape, sweep.repeat(), sweep.repeat() == 1 ? "" : "s",
             seed_mode_name(sweep.seed_mode()));
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"index", "id", "repetition", "seed"};
  header.insert(header.end(), sweep.keys().begin(), sweep.keys().end());
  rows.push_back(header);
  for (const SweepPoint& point : sweep.points()) {
    if (!shard.contains(point.index)) continue;
    std::vector<std::string> row = {std::to_string(point.index), point.id, std::to_string(point.repetition),
                                    std::to_string(point.seed)};
    for (const SweepParameter& parameter : point.parameters) row.push_back(parameter.literal);
    rows.push_back(std::move(row));
  }
  if (sharded) fmt::print("shard {}/{}: {} of these points\n", shard.index, shard.count, rows.size() - 1);
  std::vector<std::size_t> widths(header.size(), 0);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c)
      line += c + 1 == row.size() ? row[c] : fmt::format("{:<{}}  ", row[c], widths[c]);
    fmt::print("{}\n", line);
  }
}

std::string tally_text(const SweepTally& tally) {
  std::string text = fmt::format("{} points: {} completed", tally.selected, tally.completed);
  if (tally.diverged) text += fmt::format(", {} diverged", tally.diverged);
  if (tally.stalled) text += fmt::format(", {} stalled", tally.stalled);
  if (tally.stopped) text += fmt::format(", {} stopped", tally.stopped);
  if (tally.failed) text += fmt::format(", {} failed", tally.failed);
  if (tally.skipped) text += fmt::format(", {} done before (--resume)", tally.skipped);
  return text;
}

void write_runs_csv(const SweepPlan& plan, const std::vector<std::optional<PointResult>>& results,
                    const std::string& out_dir) {
  write_file_replacing((std::filesystem::path(out_dir) / "runs.csv").string(), runs_csv(plan, results));
}

// Sends this rank's results (one JSON line per point: index, then result) to rank 0.
std::vector<std::optional<PointResult>> gather_results(const ProcessGroup& group, const SweepPlan& plan,
                                                       const std::string& out_dir, const Shard& mine) {
  const std::vector<std::optional<PointResult>> local = collect_results(plan, out_dir, mine);
  std::string text;
  for (std::size_t p = 0; p < local.size(); ++p)
    if (local[p]) text += fmt::format("{}\n{}\n", p, point_result_json(*local[p]));
  std::vector<std::optional<PointResult>> all(plan.points.size());
  for (const std::string& part : group.gather(text)) {
    std::size_t at = 0;
    while (at < part.size()) {
      const std::size_t line = part.find('\n', at);
      const std::size_t end = part.find('\n', line + 1);
      const std::size_t p = std::stoul(part.substr(at, line - at));
      all.at(p) = parse_point_result(part.substr(line + 1, end - line - 1));
      at = end + 1;
    }
  }
  return all;
}

// The first non-empty text of any rank, on every rank. Collective.
std::string first_of_ranks(const ProcessGroup& group, const std::string& text) {
  std::string first;
  for (const std::string& part : group.gather(text))
    if (first.empty()) first = part;
  return group.broadcast(first);
}

// Bad input that every rank agreed on: rank 0 says it, all end with status 2.
struct AgreedBadInput : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};
[[noreturn]] void refuse(const ProcessGroup& group, const std::string& message) {
  if (group.size() == 1) throw AgreedBadInput(message);
  // mpirun ends the whole job as soon as one rank exits non-zero: the others
  // leave only once rank 0 has written its line (the broadcast waits for it).
  if (group.rank() == 0) print_bad_input(message);
  group.broadcast("");
  throw CommandExit{kExitBadInput};
}

void run(const SweepCommandOptions& options) {
  const Sweep sweep = load_sweep(options.scenario, options.overrides, scenario_schema());
  const bool sharded = !options.shard.empty();
  const Shard shard = sharded ? parse_shard(options.shard) : Shard{};
  if (options.list) {
    print_list(sweep, shard, sharded);
    return;
  }
  const std::string out_dir = options.out_dir.empty() ? "results/" + sweep.name() : options.out_dir;
  const SweepPlan plan = sweep_plan(sweep);

  const WorkerLimit workers(options.threads);
  ProcessGroup group;
  const Shard mine = shard.within(static_cast<std::size_t>(group.rank()), static_cast<std::size_t>(group.size()));
  // Held until the sweep ends; rank 0 holds it for every rank.
  std::optional<SweepLock> lock;
  try {
    // Every check `dlsim run` makes, for every point (each rank its own), before anything is written.
    std::string problem;
    try {
      check_points(sweep, mine);
    } catch (const std::invalid_argument& error) {
      problem = error.what();
    }
    if (const std::string first = first_of_ranks(group, problem); !first.empty()) refuse(group, first);

    std::string busy;
    if (group.rank() == 0) {
      std::filesystem::create_directories(out_dir);
      try {
        // The plan and the resolved scenario (--set included): shards of one sweep agree on both.
        const std::uint64_t identity = purpose_id(plan_json(plan) + sweep.scenario(sweep.points().front()).to_toml());
        lock.emplace(out_dir, shard, sharded, identity, options.scenario);
      } catch (const SweepBusy& error) {
        busy = error.what();
      }
    }
    if (const std::string first = first_of_ranks(group, busy); !first.empty()) refuse(group, first);
    std::filesystem::create_directories(out_dir);
    if (group.rank() == 0 || sharded) write_file_replacing((std::filesystem::path(out_dir) / "sweep.json").string(), plan_json(plan));
    // A runs.csv from an earlier sweep would look like this one's until the end.
    if (group.rank() == 0) std::filesystem::remove(std::filesystem::path(out_dir) / "runs.csv");

    SweepRunOptions run_options;
    run_options.out_dir = out_dir;
    run_options.threads = options.threads;
    run_options.resume = options.resume;
    run_options.shard = mine;
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    run_options.jobs = options.jobs > 0 ? options.jobs
                                        : std::max<std::size_t>(1, cores / static_cast<std::size_t>(options.threads) /
                                                                       static_cast<std::size_t>(group.local_size()));
    const std::string prefix = group.size() > 1 ? fmt::format("rank {}: ", group.rank()) : "";
    if (!options.quiet) run_options.report = [&](const std::string& line) { fmt::print(stderr, "{}{}\n", prefix, line); };
    const SweepTally tally = run_sweep(sweep, run_options);
    if (!options.quiet)
      fmt::print(stderr, "{}{} (jobs {}, threads {})\n", prefix, tally_text(tally), run_options.jobs, options.threads);

    if (sharded) {
      // The other shards may still be running, elsewhere: merging is a separate step.
      if (group.rank() == 0 && !options.quiet)
        fmt::print("shard {}/{} done in {}; once every shard is done: dlsim sweep --merge {}\n", shard.index,
                   shard.count, out_dir, out_dir);
      group.gather("");  // keeps the ranks together until all are done
      return;
    }
    const std::vector<std::optional<PointResult>> results = gather_results(group, plan, out_dir, mine);
    if (group.rank() == 0) {
      write_runs_csv(plan, results, out_dir);
      if (!options.quiet) fmt::print("{} points; results in {}/runs.csv\n", plan.points.size(), out_dir);
    }
  } catch (const CommandExit&) {
    throw;
  } catch (const AgreedBadInput&) {
    throw;
  } catch (const std::exception& error) {
    if (group.size() == 1) throw;
    fmt::print(stderr, "dlsim: rank {} failed: {}\n", group.rank(), error.what());
    group.abort(kExitRunFailed);
  }
}

// The sweep plan and point folders are in DIR, or in its sub-folders (one per
// shard, e.g. copied back from several machines).
void merge(const SweepCommandOptions& options) {
  namespace fs = std::filesystem;
  const fs::path dir(options.merge);
  if (!fs::is_directory(dir)) throw std::invalid_argument(fmt::format("--merge {}: not a folder", options.merge));
  std::vector<fs::path> folders = {dir};
  std::vector<fs::path> children;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir))
    if (entry.is_directory() && fs::exists(entry.path() / "sweep.json")) children.push_back(entry.path());
  std::sort(children.begin(), children.end());
  folders.insert(folders.end(), children.begin(), children.end());

  std::optional<SweepPlan> plan;
  for (const fs::path& folder : folders) {
    if (!fs::exists(folder / "sweep.json")) continue;
    SweepPlan found = read_plan((folder / "sweep.json").string());
    if (!plan) {
      plan = std::move(found);
      continue;
    }
    bool same = found.points.size() == plan->points.size();
    for (std::size_t p = 0; same && p < found.points.size(); ++p) same = found.points[p].id == plan->points[p].id;
    if (!same)
      throw std::invalid_argument(fmt::format("--merge {}: {} is the plan of another sweep than {}", options.merge,
                                              (folder / "sweep.json").string(), (dir / "sweep.json").string()));
  }
  if (!plan) throw std::invalid_argument(fmt::format("--merge {}: no sweep.json in it or its sub-folders", options.merge));

  std::vector<std::optional<PointResult>> results(plan->points.size());
  std::size_t missing = 0;
  for (std::size_t p = 0; p < plan->points.size(); ++p) {
    for (const fs::path& folder : folders) {
      std::optional<PointResult> result = read_point_result((folder / plan->points[p].id).string());
      if (!result) continue;
      const bool finished = is_final_status(result->status);
      if (!results[p] || finished) results[p] = std::move(result);
      if (finished) break;
    }
    missing += results[p] ? 0 : 1;
  }
  write_runs_csv(*plan, results, options.merge);
  if (missing > 0)
    fmt::print(stderr, "dlsim: {} of {} points have no result yet (status \"missing\" in runs.csv)\n", missing,
               plan->points.size());
  if (!options.quiet)
    fmt::print("{} points from {} folder(s); results in {}\n", plan->points.size(), folders.size(),
               (dir / "runs.csv").string());
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto options = std::make_shared<SweepCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "sweep", "Run every point of a scenario's [sweep] table: one folder per point and runs.csv");
  command->add_option("scenario", options->scenario, "scenario file (TOML) with a [sweep] table");
  command->add_option("--set", options->overrides, "override a key of every point, e.g. --set stop.rounds=50")
      ->type_name("KEY=VALUE");
  command->add_option("--jobs,-j", options->jobs, "points run at the same time (default: cores / threads)")
      ->check(CLI::Range(1, 4096));
  command->add_option("--threads", options->threads, "worker threads of each run (results do not depend on it)")
      ->check(CLI::Range(1, 1024));
  command->add_option("--out", options->out_dir, "output folder (default results/<name>)");
  command->add_flag("--resume", options->resume, "skip points whose folder holds a finished run of the same scenario");
  command->add_option("--shard", options->shard, "run only the points whose index is k modulo N")->type_name("k/N");
  command->add_flag("--list", options->list, "print the points and their ids, and run nothing");
  command->add_flag("--quiet,-q", options->quiet, "no line per point and no final report");
  command->add_option("--merge", options->merge, "write DIR/runs.csv from the folders of a sharded sweep")
      ->type_name("DIR");
  command->footer(
      "Exit status: 0 when the sweep ran (points that failed, stalled or diverged are in runs.csv),\n"
      "2 for bad input (the message names file, line, column and key).\n"
      "Over MPI (built with -DDLSIM_WITH_MPI=ON): mpirun -np K dlsim sweep FILE --out DIR");
  command->callback([options] {
    if (options->merge.empty() == options->scenario.empty())
      throw std::invalid_argument("dlsim sweep: give a scenario file, or --merge DIR (not both)");
    if (!options->merge.empty()) merge(*options);
    else run(*options);
  });
}

}  // namespace dlsim::cli
