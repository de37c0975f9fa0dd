// dlsim's entry point: parses the command line and dispatches to a sub-command.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <exception>
#include <stdexcept>

#include "cli/commands.hpp"
#include "scenario/scenario.hpp"

namespace {
constexpr std::size_t kMaxMessageChars = 4096;
}

int main(int argc, char** argv) {
  using namespace dlsim::cli;
  CLI::App app{
      "dlsim: a discrete-event network simulator for decentralized and federated learning"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "dlsim 0.1.0");
  add_run_command(app);
  add_validate_command(app);
  add_sweep_command(app);
  add_topo_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitCompleted : kExitBadInput;
  } catch (const CommandExit& exit) {
    return exit.status;
  } catch (const std::invalid_argument& error) {
    print_bad_input(error.what());
    return kExitBadInput;
  } catch (const std::exception& error) {
    fmt::print(stderr, "dlsim: failed: {}\n", dlsim::printable(error.what(), kMaxMessageChars));
    return kExitRunFailed;
  }
  return kExitCompleted;
}
