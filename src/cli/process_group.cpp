// MPI for sweeps (only this file uses it): ranks share the points like
// shards and send their results to rank 0, which writes runs.csv. Nothing
// here needs a shared filesystem.
#include "cli/process_group.hpp"

#include <fmt/core.h>

#include <cstdlib>
#include <stdexcept>
#include <string_view>

#ifdef DLSIM_WITH_MPI
#include <mpi.h>
#endif

namespace dlsim::cli {
namespace {

int environment_integer(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

// The world size announced by the launcher (Open MPI, PMIx, MPICH/Slurm PMI), or 0.
int launcher_size() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"})
    if (const int size = environment_integer(name, 0); size > 0) return size;
  return 0;
}

}  // namespace

ProcessGroup::ProcessGroup() {
  const int announced = launcher_size();
#ifdef DLSIM_WITH_MPI
  // Only under a launcher: a plain `dlsim sweep` of an MPI build stays a
  // single process and does not pay for (or print the warnings of) a singleton MPI_Init.
  if (announced == 0) return;
  int provided = 0;
  // Only the main thread calls MPI; runs use their own threads.
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  initialised_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  local_size_ = environment_integer("OMPI_COMM_WORLD_LOCAL_SIZE", 1);
  if (local_size_ < 1) local_size_ = 1;
#else
  if (announced > 1)
    throw std::invalid_argument(
        "started by mpirun with several ranks, but this dlsim is built without MPI: "
        "configure with -DDLSIM_WITH_MPI=ON (see README, Sweeps), or use --shard k/N");
#endif
}

ProcessGroup::~ProcessGroup() {
#ifdef DLSIM_WITH_MPI
  if (initialised_) MPI_Finalize();
#endif
}

std::vector<std::string> ProcessGroup::gather(const std::string& text) const {
#ifdef DLSIM_WITH_MPI
  if (initialised_ && size_ > 1) {
    // Results are a few hundred bytes per point; int counts limit one rank to 2 GiB.
    const int length = static_cast<int>(text.size());
    std::vector<int> lengths(static_cast<std::size_t>(size_));
    MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::vector<int> offsets(static_cast<std::size_t>(size_), 0);
    std::size_t total = 0;
    for (int r = 0; r < size_; ++r) {
      offsets[static_cast<std::size_t>(r)] = static_cast<int>(total);
      total += static_cast<std::size_t>(lengths[static_cast<std::size_t>(r)]);
    }
    std::string all(rank_ == 0 ? total : 0, '\0');
    MPI_Gatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0,
                MPI_COMM_WORLD);
    if (rank_ != 0) return {};
    std::vector<std::string> texts;
    for (int r = 0; r < size_; ++r)
      texts.push_back(all.substr(static_cast<std::size_t>(offsets[static_cast<std::size_t>(r)]),
                                 static_cast<std::size_t>(lengths[static_cast<std::size_t>(r)])));
    return texts;
  }
#endif
  return {text};
}

std::string ProcessGroup::broadcast(const std::string& text) const {
#ifdef DLSIM_WITH_MPI
  if (initialised_ && size_ > 1) {
    int length = static_cast<int>(text.size());
    MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::string all = rank_ == 0 ? text : std::string(static_cast<std::size_t>(length), '\0');
    MPI_Bcast(all.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);
    return all;
  }
#endif
  return text;
}

void ProcessGroup::abort(int status) const {
#ifdef DLSIM_WITH_MPI
  if (initialised_ && size_ > 1) MPI_Abort(MPI_COMM_WORLD, status);
#endif
  std::exit(status);
}

}  // namespace dlsim::cli
