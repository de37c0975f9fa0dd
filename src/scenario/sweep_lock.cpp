// The output folder's lock; see sweep_lock.hpp.
#include "scenario/sweep_lock.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace dlsim {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLockName = "sweep.lock";

// Opens `path` (created if missing) and takes flock `mode` without waiting.
// Returns the descriptor, or -1 when someone else holds a conflicting lock.
// A holder removes the file on release: a lock taken on a file that has
// meanwhile been removed or replaced is worthless, so it is taken again.
int acquire(const std::string& path, int mode) {
  for (;;) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error(fmt::format("{}: cannot create the lock file: {}", path, std::strerror(errno)));
    if (::flock(fd, mode | LOCK_NB) != 0) {
      const int error = errno;
      ::close(fd);
      if (error == EWOULDBLOCK) return -1;
      throw std::runtime_error(fmt::format("{}: cannot lock: {}", path, std::strerror(error)));
    }
    struct stat held {}, named {};
    if (::fstat(fd, &held) == 0 && ::stat(path.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
        held.st_ino == named.st_ino)
      return fd;
    ::close(fd);
  }
}

// Whether someone holds `path` exclusively (a running holder that wrote it).
bool held_exclusively(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Line 1 of a lock file: who holds it; line 2: "plan <hash>".
std::string holder_of(const std::string& path) {
  const std::vector<std::string> lines = lines_of(path);
  return lines.empty() || lines[0].empty() ? "a sweep that is starting" : lines[0];
}

std::string plan_line(std::uint64_t plan_hash) { return fmt::format("plan {:016x}", plan_hash); }

std::string now_utc() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts);
  return text;
}

void describe_holder(int fd, const std::string& path, const std::string& scenario, const std::string& shard,
                     std::uint64_t plan_hash) {
  char host[HOST_NAME_MAX + 1] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "unknown host");
  const std::string text = fmt::format("pid {} on {}, started {}: dlsim sweep {}{}\n{}\n", static_cast<long>(::getpid()),
                                       host, now_utc(), scenario, shard, plan_line(plan_hash));
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
    throw std::runtime_error(fmt::format("{}: cannot write the lock file: {}", path, std::strerror(errno)));
}

SweepBusy busy(const std::string& out_dir, const std::string& holder) {
  return SweepBusy(fmt::format("{}: in use by another sweep ({}); wait for it to end or give another --out", out_dir,
                               holder));
}

// The running shards' lock files in the folder, but `mine`.
std::vector<std::string> running_shards(const std::string& out_dir, const std::string& mine) {
  std::vector<std::string> found;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(out_dir, error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(std::string(kLockName) + ".", 0) != 0 || entry.path().string() == mine) continue;
    if (held_exclusively(entry.path().string())) found.push_back(entry.path().string());
  }
  return found;
}

}  // namespace

SweepLock::SweepLock(const std::string& out_dir, const Shard& shard, bool sharded, std::uint64_t plan_hash,
                     const std::string& scenario)
    : main_path_((fs::path(out_dir) / kLockName).string()) {
  if (!sharded) {
    main_fd_ = acquire(main_path_, LOCK_EX);
    if (main_fd_ < 0) {
      // Held shared by shards, or exclusively by a whole sweep.
      const std::vector<std::string> shards = running_shards(out_dir, "");
      throw busy(out_dir, holder_of(shards.empty() ? main_path_ : shards.front()));
    }
    describe_holder(main_fd_, main_path_, scenario, "", plan_hash);
    return;
  }
  main_fd_ = acquire(main_path_, LOCK_SH);
  if (main_fd_ < 0) throw busy(out_dir, holder_of(main_path_));
  shard_path_ = fmt::format("{}.{}-of-{}", main_path_, shard.index, shard.count);
  try {
    shard_fd_ = acquire(shard_path_, LOCK_EX);
    if (shard_fd_ < 0) throw busy(out_dir, holder_of(shard_path_));
    describe_holder(shard_fd_, shard_path_, scenario, fmt::format(" --shard {}/{}", shard.index, shard.count),
                    plan_hash);
    // Written before looking: of two shards of different sweeps starting together, both see the other.
    for (const std::string& other : running_shards(out_dir, shard_path_)) {
      const std::vector<std::string> lines = lines_of(other);
      if (lines.size() >= 2 && lines[1] != plan_line(plan_hash))
        throw busy(out_dir, holder_of(other) + ", a shard of another plan");
    }
  } catch (...) {
    release();
    throw;
  }
}

SweepLock::~SweepLock() { release(); }

void SweepLock::release() {
  // Removed while still held, so that no one takes a lock on a file about to vanish.
  if (shard_fd_ >= 0) {
    ::unlink(shard_path_.c_str());
    ::close(shard_fd_);
    shard_fd_ = -1;
  }
  if (main_fd_ >= 0) {
    // A shard removes the shared file only when it is the last holder.
    if (shard_path_.empty() || ::flock(main_fd_, LOCK_EX | LOCK_NB) == 0) ::unlink(main_path_.c_str());
    ::close(main_fd_);
    main_fd_ = -1;
  }
}

}  // namespace dlsim
