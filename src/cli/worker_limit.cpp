// TBB's worker limit; see worker_limit.hpp.
#include "cli/worker_limit.hpp"

#include <algorithm>
#include <cstddef>
#include <thread>

namespace dlsim::cli {

WorkerLimit::WorkerLimit(int threads)
    : control_(tbb::global_control::max_allowed_parallelism,
               std::max<std::size_t>(std::max(1u, std::thread::hardware_concurrency()),
                                     static_cast<std::size_t>(threads))) {}

}  // namespace dlsim::cli
