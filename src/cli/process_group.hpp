// The processes of one sweep: the ranks of an MPI job when dlsim is built
// with -DDLSIM_WITH_MPI=ON and started by mpirun, otherwise this process
// alone. All MPI code of dlsim is in process_group.cpp.
#pragma once

#include <string>
#include <vector>

namespace dlsim::cli {

class ProcessGroup {
 public:
  // Joins the MPI job when there is one. Throws std::invalid_argument when
  // started by mpirun with more than one rank but built without MPI (every
  // rank would run every point).
  ProcessGroup();
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  // Ranks on this machine (mpirun's local size), to share its cores.
  int local_size() const { return local_size_; }

  // Every rank's text, in rank order, at rank 0; an empty list elsewhere. Collective.
  std::vector<std::string> gather(const std::string& text) const;
  // Rank 0's text, on every rank. Collective.
  std::string broadcast(const std::string& text) const;
  // Ends every rank (a rank that cannot go on would leave the others waiting).
  [[noreturn]] void abort(int status) const;

 private:
  int rank_ = 0;
  int size_ = 1;
  int local_size_ = 1;
  bool initialised_ = false;
};

}  // namespace dlsim::cli
