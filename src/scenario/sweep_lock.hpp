// Keeps two sweeps from writing into the same output folder, where their
// points, sweep.json and runs.csv would mix without a word.
//
// A sweep holds an flock(2) on DIR/sweep.lock for its whole life; the kernel
// drops it when the process ends, however it ends, so a file left by a killed
// sweep never blocks the next one (--resume). A whole sweep holds it
// exclusively. The shards of one sweep may share DIR (README, Sweeps): a
// shard holds DIR/sweep.lock shared, and DIR/sweep.lock.<k>-of-<N> exclusively,
// so that the same shard cannot run twice, and it refuses to run beside the
// shards of another plan. Each holder writes into the file it holds
// exclusively who it is (pid, host, start time, scenario), which is what a
// refused sweep's message names. Only one process of an MPI job takes the
// lock (rank 0, for all its ranks).
//
// The lock file is removed on release when no one else holds it. flock works
// on a local filesystem and, on Linux, on NFS (as a whole-file lock).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "scenario/sweep.hpp"

namespace dlsim {

// Another sweep writes into the folder: bad input (exit status 2); the
// message names the folder and the other sweep.
class SweepBusy : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The lock of one sweep (or shard) on its output folder.
class SweepLock {
 public:
  // Takes the lock on `out_dir` (which must exist) for the points of `shard`
  // (`sharded`: run as --shard k/N) of the sweep whose plan hashes to
  // `plan_hash`; `scenario` names the sweep to others. Throws SweepBusy when
  // another sweep holds it, std::runtime_error when the file cannot be made.
  SweepLock(const std::string& out_dir, const Shard& shard, bool sharded, std::uint64_t plan_hash,
            const std::string& scenario);
  ~SweepLock();
  SweepLock(const SweepLock&) = delete;
  SweepLock& operator=(const SweepLock&) = delete;

 private:
  void release();
  int main_fd_ = -1;   // DIR/sweep.lock
  int shard_fd_ = -1;  // DIR/sweep.lock.<k>-of-<N>, sharded only
  std::string main_path_, shard_path_;
};

}  // namespace dlsim
