// A submitted compute task shared by the pool (which may run it early) and
// its completion event (which joins it). Whoever claims it first runs it.
// Private to sim/.
#pragma once

#include <atomic>
#include <exception>

#include "sim/node.hpp"

namespace dlsim::detail {

class ComputeJob {
 public:
  ComputeJob(ComputeWork work, int references) : work_(std::move(work)), references_(references) {}

  // Runs the work unless someone already claimed it.
  void run_if_pending() {
    int expected = kPending;
    if (!state_.compare_exchange_strong(expected, kRunning, std::memory_order_acq_rel)) return;
    try {
      work_();
    } catch (...) {
      error_ = std::current_exception();
    }
    work_ = nullptr;  // release the snapshot as soon as it is used
    state_.store(kDone, std::memory_order_release);
    state_.notify_all();
  }

  // Returns once the work has run (running it here if nobody has); rethrows its exception.
  void join() {
    run_if_pending();
    int state = state_.load(std::memory_order_acquire);
    while (state != kDone) {
      state_.wait(state, std::memory_order_acquire);
      state = state_.load(std::memory_order_acquire);
    }
    if (error_) std::rethrow_exception(error_);
  }

  // join(), then release(); the job's exception, if any, is rethrown after the release.
  void join_then_release() {
    try {
      join();
    } catch (...) {
      release();
      throw;
    }
    release();
  }

  // Drops one reference; the last one deletes the job.
  void release() {
    if (references_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

 private:
  static constexpr int kPending = 0, kRunning = 1, kDone = 2;
  ComputeWork work_;
  std::atomic<int> state_{kPending};
  std::atomic<int> references_;
  std::exception_ptr error_;
};

}  // namespace dlsim::detail
