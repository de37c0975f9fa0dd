// Availability traces; see availability_trace.hpp.
#include "algorithms/federated/availability_trace.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <numeric>
#include <stdexcept>
#include <string_view>

#include "sim/text.hpp"

namespace dlsim {
namespace {

// The whole of `text` as a number, or false.
template <typename Number>
bool parse_number(std::string_view text, Number& value) {
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  return result.ec == std::errc() && result.ptr == text.data() + text.size() && !text.empty();
}

struct Row {
  NodeId client;
  SimTime start, end;
  std::size_t line;
};

}  // namespace

AvailabilityTrace AvailabilityTrace::parse(std::istream& in, const std::string& name, std::uint32_t clients) {
  auto fail = [&](std::size_t line, const std::string& what) {
    throw std::invalid_argument(fmt::format("{}:{}: {}", name, line, what));
  };
  // Seconds to the clock's nanoseconds: finite, non-negative, within its range.
  auto seconds = [&](std::size_t line, std::string_view text, std::string_view what) {
    double value = 0;
    if (!parse_number(text, value)) fail(line, fmt::format("{} \"{}\" is not a number of seconds", what, text));
    if (!std::isfinite(value) || value < 0)
      fail(line, fmt::format("{} {} must be finite and not negative", what, text));
    const double nanoseconds = std::round(value * 1e9);
    if (!(nanoseconds <= 9.2e18)) fail(line, fmt::format("{} {} s is beyond the simulated clock", what, text));
    return static_cast<SimTime>(nanoseconds);
  };
  std::vector<Row> rows;
  std::string text;
  std::size_t line = 0;
  bool header_allowed = true;
  while (std::getline(in, text)) {
    ++line;
    const std::string_view row = trim_blanks(text);
    if (row.empty() || row.front() == '#') continue;
    const std::size_t first = row.find(',');
    const std::size_t second = first == std::string_view::npos ? first : row.find(',', first + 1);
    const bool three = second != std::string_view::npos && row.find(',', second + 1) == std::string_view::npos;
    const std::string_view client_text = trim_blanks(row.substr(0, first));
    std::uint64_t client = 0;
    if (!parse_number(client_text, client)) {
      // A header: the first row whose client field is not an integer.
      const bool word = !client_text.empty() && (std::isalpha(static_cast<unsigned char>(client_text.front())) ||
                                                 client_text.front() == '"');
      if (header_allowed && three && word) {
        header_allowed = false;
        continue;
      }
      if (three) fail(line, fmt::format("client \"{}\" is not a non-negative integer", client_text));
    }
    header_allowed = false;
    if (!three) fail(line, fmt::format("expected \"client,start_s,end_s\", got \"{}\"", row.substr(0, 80)));
    if (client >= clients)
      fail(line, fmt::format("client {} is unknown (the run has {} clients, 0 to {})", client, clients,
                             clients == 0 ? 0 : clients - 1));
    const SimTime start = seconds(line, trim_blanks(row.substr(first + 1, second - first - 1)), "start");
    const SimTime end = seconds(line, trim_blanks(row.substr(second + 1)), "end");
    if (end <= start) fail(line, fmt::format("the interval ends at or before it starts ({} <= {} s)", to_seconds(end), to_seconds(start)));
    rows.push_back(Row{static_cast<NodeId>(client), start, end, line});
  }
  if (in.bad()) throw std::invalid_argument(fmt::format("{}: read error", name));

  // Sorted by (client, start); the line breaks ties so that messages are stable.
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.client != b.client ? a.client < b.client : a.start != b.start ? a.start < b.start : a.line < b.line;
  });
  AvailabilityTrace trace;
  trace.offsets_.assign(static_cast<std::size_t>(clients) + 1, 0);
  trace.starts_.reserve(rows.size());
  trace.ends_.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    if (i > 0 && rows[i - 1].client == row.client) {
      const Row& before = rows[i - 1];
      if (row.start < before.end) {
        const Row& later = before.line > row.line ? before : row;
        const Row& earlier = before.line > row.line ? row : before;
        fail(later.line, fmt::format("the interval [{}, {}) s of client {} overlaps [{}, {}) s of line {}",
                                     to_seconds(later.start), to_seconds(later.end), row.client,
                                     to_seconds(earlier.start), to_seconds(earlier.end), earlier.line));
      }
      if (row.start == before.end) {  // touching: one interval
        trace.ends_.back() = row.end;
        continue;
      }
    }
    trace.starts_.push_back(row.start);
    trace.ends_.push_back(row.end);
    ++trace.offsets_[row.client + 1];
  }
  std::partial_sum(trace.offsets_.begin(), trace.offsets_.end(), trace.offsets_.begin());
  return trace;
}

AvailabilityTrace AvailabilityTrace::read(const std::string& path, std::uint32_t clients) {
  std::ifstream file(path);
  if (!file.good()) throw std::invalid_argument(fmt::format("{}: cannot open the availability trace", path));
  return parse(file, path, clients);
}

std::span<const SimTime> AvailabilityTrace::starts(NodeId client) const {
  return std::span<const SimTime>(starts_).subspan(offsets_[client], offsets_[client + 1] - offsets_[client]);
}

std::span<const SimTime> AvailabilityTrace::ends(NodeId client) const {
  return std::span<const SimTime>(ends_).subspan(offsets_[client], offsets_[client + 1] - offsets_[client]);
}

std::size_t AvailabilityTrace::first_ending_after(NodeId client, SimTime time) const {
  const std::span<const SimTime> ends = this->ends(client);
  return static_cast<std::size_t>(std::upper_bound(ends.begin(), ends.end(), time) - ends.begin());
}

bool AvailabilityTrace::available(NodeId client, SimTime time) const {
  const std::size_t k = first_ending_after(client, time);
  return k < ends(client).size() && starts(client)[k] <= time;
}

SimTime AvailabilityTrace::available_until(NodeId client, SimTime time) const {
  const std::size_t k = first_ending_after(client, time);
  return k < ends(client).size() && starts(client)[k] <= time ? ends(client)[k] : time;
}

SimTime AvailabilityTrace::next_available(NodeId client, SimTime time) const {
  const std::size_t k = first_ending_after(client, time);
  return k < ends(client).size() ? std::max(starts(client)[k], time) : kNever;
}

}  // namespace dlsim
