// The dlsim sub-commands. Each add_*_command registers its options on the app
// and a callback that runs it. A callback reports bad input by throwing
// std::invalid_argument (or a subclass) with a message that names where and
// what; main turns that into one line on stderr and exit status 2.
#pragma once

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdio>
#include <string_view>

#include "scenario/scenario.hpp"

namespace dlsim::cli {

// Exit statuses shared by every command.
inline constexpr int kExitCompleted = 0;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitRunFailed = 3;

// The one line of bad input on stderr, whatever the message quotes (a value
// with newlines or NULs, a very long one): main's, and rank 0's in an MPI sweep.
inline void print_bad_input(std::string_view message) {
  constexpr std::size_t kMaxMessageChars = 4096;
  fmt::print(stderr, "dlsim: error: {}\n", dlsim::printable(message, kMaxMessageChars));
  std::fflush(stderr);
}

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
