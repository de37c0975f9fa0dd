// TBB's worker limit for a command whose runs use `--threads T` each.
#pragma once

#include <tbb/global_control.h>

namespace dlsim::cli {

// Holds TBB's process-wide worker limit at max(cores, T) while it lives.
// Without it, a parallel loop that runs first (evaluation, f*) fixes TBB's
// limit at the cores' count, and a run's arena of more threads is then cut
// to that with a "TBB Warning" on stderr, which --quiet must not print.
class WorkerLimit {
 public:
  explicit WorkerLimit(int threads);

 private:
  tbb::global_control control_;
};

}  // namespace dlsim::cli
