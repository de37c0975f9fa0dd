// What the benchmarks that run each case in a child process share: the
// command-line number parsers, the process's peak RSS and CPU time, the
// machine's load, medians, and the path of the running executable.
#pragma once

#include <fmt/core.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace dlsim::bench {

// One line "<program>: <message>" on stderr, exit status 2.
[[noreturn]] inline void usage_error(const std::string& program, const std::string& message) {
  fmt::print(stderr, "{}: {}\n", program, message);
  std::exit(2);
}

// A non-negative number ("1e6" allowed); a usage error naming the flag otherwise.
inline double parse_number(const std::string& program, const std::string& flag,
                           const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(value >= 0))
    usage_error(program, flag + " needs a non-negative number, got \"" + text + "\"");
  return value;
}

// "1000,10000" or "1e5" -> the numbers, appended to `out`.
template <typename T>
void parse_list(const std::string& program, const std::string& flag, const std::string& text,
                std::vector<T>& out) {
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    out.push_back(static_cast<T>(parse_number(program, flag, text.substr(start, comma - start))));
    start = comma + 1;
  }
}

// The process's peak resident set (getrusage ru_maxrss), KiB.
inline long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// The process's resident set now (/proc/self/statm), KiB; -1 when unreadable.
inline long current_rss_kib() {
  long pages = -1, resident = -1;
  if (FILE* file = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(file, "%ld %ld", &pages, &resident) != 2) resident = -1;
    std::fclose(file);
  }
  return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// User + system time of the whole process so far.
inline double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The 1-minute load average (/proc/loadavg), -1 when unreadable: how much of a shared machine the
// runs had.
inline double load_average() {
  double load = -1;
  if (FILE* file = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(file, "%lf", &load) != 1) load = -1;
    std::fclose(file);
  }
  return load;
}

// The median of `values` (sorted here; non-empty).
inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// This executable (/proc/self/exe), to run a case again in a fresh process.
inline std::string executable_path(const std::string& program) {
  std::vector<char> buffer(4096);
  const ssize_t length = readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  if (length <= 0) usage_error(program, "cannot find this executable (/proc/self/exe)");
  return std::string(buffer.data(), static_cast<std::size_t>(length));
}

// Runs `command` (a case in a child process) and returns the text after
// "result " of its result line; a usage error naming `what` when the child
// fails or prints none.
inline std::string child_result(const std::string& program, const std::string& command,
                                const std::string& what) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) usage_error(program, "cannot start " + command);
  std::string result;
  char line[1024];
  while (std::fgets(line, sizeof line, pipe))
    if (std::string_view(line).starts_with("result ")) result = line + 7;
  const int status = pclose(pipe);
  if (status != 0 || result.empty())
    usage_error(program, fmt::format("{} failed (status {})", what, status));
  return result;
}

}  // namespace dlsim::bench
