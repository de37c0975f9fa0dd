// dlsim run and dlsim validate.
#include <fmt/core.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/worker_limit.hpp"
#include "scenario/experiment.hpp"
#include "scenario/experiment_builder.hpp"
#include "scenario/sweep_runner.hpp"

namespace dlsim::cli {
namespace {

struct RunCommandOptions {
  std::string scenario;
  std::vector<std::string> overrides;
  std::string out_dir;
  int threads = 1;
  bool quiet = false;
  bool verbose = false;
};

void add_scenario_arguments(CLI::App* command, RunCommandOptions& options) {
  command->add_option("scenario", options.scenario, "scenario file (TOML)")->required();
  command->add_option("--set", options.overrides,
                      "override a key, e.g. --set network.latency=5ms --set algorithm.learning_rate=0.05")
      ->type_name("KEY=VALUE");
}

void run(const RunCommandOptions& options) {
  const WorkerLimit workers(options.threads);
  const Scenario scenario = load_scenario(options.scenario, options.overrides, scenario_schema());
  RunOptions run_options;
  run_options.out_dir = options.out_dir.empty() ? "results/" + scenario.text("name") : options.out_dir;
  run_options.threads = options.threads;
  run_options.quiet = options.quiet;
  run_options.verbose = options.verbose;
  const RunSummary summary = run_scenario(scenario, run_options);
  if (!options.quiet) {
    fmt::print("{}: {} ({}) in {:.2f} s; results in {}\n", scenario.text("name"), run_status_name(summary.status),
               summary.message, summary.wall_seconds, run_options.out_dir);
    for (const auto& [name, value] : summary.final) fmt::print("  {:<20} {}\n", name, value);
  }
  if (summary.status == RunStatus::failed) {
    fmt::print(stderr, "dlsim: run failed: {}\n", summary.message);
    throw CommandExit{kExitRunFailed};
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto options = std::make_shared<RunCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "run", "Run one scenario; write metrics.csv and summary.json into the output folder");
  add_scenario_arguments(command, *options);
  command->add_option("--out", options->out_dir, "output folder (default results/<name>)");
  command->add_option("--threads", options->threads, "worker threads (results do not depend on it)")
      ->check(CLI::Range(1, 1024));
  command->add_flag("--quiet,-q", options->quiet, "no progress line and no final report");
  command->add_flag("--verbose,-v", options->verbose, "a line per evaluation on stderr");
  command->footer(
      "Exit status: 0 when the run finished (completed, stopped, stalled or diverged: see summary.json),\n"
      "2 for bad input (the message names file, line, column and key), 3 when the run failed.");
  command->callback([options] { run(*options); });
}

namespace {

void print_key_rows(const std::vector<KeySpec>& keys) {
  fmt::print("| key | type | default | meaning |\n|---|---|---|---|\n");
  for (const KeySpec& key : keys) {
    std::string type(value_type_name(key.type));
    if (key.type == ValueType::boolean_or_choice) type = "true \\| false";
    if (key.type == ValueType::choice || key.type == ValueType::boolean_or_choice) {
      if (key.type == ValueType::choice) type.clear();
      for (const std::string& choice : key.choices) type += (type.empty() ? "" : " \\| ") + choice;
    }
    fmt::print("| `{}` | {} | {} | {} |\n", key.name, type,
               key.default_value.empty() ? "(none)" : "`" + key.default_value + "`", key.help);
  }
}

}  // namespace

// Every key of the schema as Markdown tables: the README's reference is this output.
void print_reference() {
  for (const SectionSpec& section : scenario_schema().sections()) {
    if (section.name == "sweep") continue;
    fmt::print("\n**{}** ({})\n\n", section.name.empty() ? "top level" : "[" + section.name + "]", section.help);
    print_key_rows(section.keys);
    for (const KeyGroup& group : section.documented_kind_keys) {
      fmt::print("\n*[{}] keys of {}*\n\n", section.name, group.title);
      print_key_rows(group.keys);
    }
    if (section.kind_keys && section.documented_kind_keys.empty())
      fmt::print("\nplus the parameters of the chosen `kind` (see `dlsim topo --help` and the compressor table).\n");
  }
}

void add_validate_command(CLI::App& app) {
  auto options = std::make_shared<RunCommandOptions>();
  auto reference = std::make_shared<bool>(false);
  CLI::App* command =
      app.add_subcommand("validate",
                         "Check a scenario as `dlsim run` would before it starts (and every point of its [sweep]), "
                         "and print it resolved, with every default filled in");
  command->add_option("scenario", options->scenario, "scenario file (TOML)");
  command->add_option("--set", options->overrides, "override a key")->type_name("KEY=VALUE");
  command->add_flag("--reference", *reference, "print every scenario key (type, default, meaning) as Markdown");
  command->callback([options, reference] {
    if (*reference) return print_reference();
    if (options->scenario.empty()) throw std::invalid_argument("validate: give a scenario file (or --reference)");
    const Scenario scenario = load_scenario(options->scenario, options->overrides, scenario_schema());
    // What `dlsim run` checks before it starts (data and graph files, the
    // graph against the algorithm, ...), and for a sweep what each point needs.
    check_experiment(scenario);
    if (scenario.has("sweep")) check_points(load_sweep(options->scenario, options->overrides, scenario_schema()));
    fmt::print("{}\n", scenario.to_toml());
  });
}

}  // namespace dlsim::cli
