// The dlsim sub-commands. Each add_*_command registers its options on the app
// and a callback that runs it. A callback reports bad input by throwing
// std::invalid_argument (or a subclass) with a message that names where and
// what; main turns that into one line on stderr and exit status 2.
#pragma once

#include <CLI/CLI.hpp>

namespace dlsim::cli {

// Exit statuses shared by every command.
inline constexpr int kExitCompleted = 0;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitRunFailed = 3;

// Thrown by a command that finished with a status other than 0 and has
// already said why (e.g. a run that failed: kExitRunFailed).
struct CommandExit {
  int status;
};

// dlsim run: one scenario; dlsim validate: print it resolved.
void add_run_command(CLI::App& app);
void add_validate_command(CLI::App& app);

// dlsim sweep: the points of a scenario's [sweep] table (list, run, shard, merge, MPI).
void add_sweep_command(CLI::App& app);

// dlsim topo: graph facts, mixing-matrix checks and spectral gap of a topology.
void add_topo_command(CLI::App& app);

}  // namespace dlsim::cli
