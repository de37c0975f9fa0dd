// The sweep's files: plan, point results, runs.csv; see sweep_results.hpp.
#include "scenario/sweep_results.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

namespace dlsim {
namespace {

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// The same rule as metrics.csv: integers without a decimal point, other
// numbers in the shortest text that reads back to the same double.
std::string number_cell(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == std::floor(value) && std::abs(value) < 1e15) return fmt::format("{:.0f}", value);
  return fmt::format("{}", value);
}

std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// JSON has no NaN: nlohmann writes it as null, which reads back as NaN here.
double json_number(const nlohmann::json& value) {
  return value.is_number() ? value.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

PointResult result_from(const nlohmann::json& summary) {
  PointResult result;
  result.status = summary.at("status").get<std::string>();
  result.message = summary.value("message", "");
  if (const auto final = summary.find("final"); final != summary.end() && final->is_object())
    for (const auto& [name, value] : final->items()) result.final[name] = json_number(value);
  if (const auto host = summary.find("host"); host != summary.end() && host->contains("wall_seconds"))
    result.wall_seconds = json_number(host->at("wall_seconds"));
  else if (summary.contains("wall_seconds"))
    result.wall_seconds = json_number(summary.at("wall_seconds"));
  return result;
}

// The resolved scenario as summary.json holds it.
nlohmann::json scenario_json(const Scenario& scenario) {
  std::ostringstream out;
  out << toml::json_formatter{scenario.resolved()};
  return nlohmann::json::parse(out.str());
}

std::vector<std::string> split_cells(std::string_view line) {
  std::vector<std::string> cells;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    cells.emplace_back(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) return cells;
    start = comma + 1;
  }
}

// Whether DIR/metrics.csv is the whole table the summary was written with: a
// header, complete rows of as many cells, and a last row equal to the
// summary's final figures (a run writes the table, then the summary; a file
// damaged or replaced since differs).
bool metrics_match_summary(const std::string& point_dir, const nlohmann::json& summary) {
  const std::optional<std::string> text = read_text((std::filesystem::path(point_dir) / "metrics.csv").string());
  if (!text || text->empty() || text->back() != '\n') return false;
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < text->size();) {
    const std::size_t end = text->find('\n', start);
    lines.emplace_back(std::string_view(*text).substr(start, end - start));
    start = end + 1;
  }
  const std::vector<std::string> header = split_cells(lines.front());
  if (header.empty() || header.front() != "round") return false;
  for (std::size_t i = 1; i < lines.size(); ++i)
    if (split_cells(lines[i]).size() != header.size()) return false;
  const nlohmann::json& final = summary.at("final");
  if (lines.size() == 1) {
    // No evaluation: no figure of the table in the summary either.
    for (const std::string& column : header)
      if (final.contains(column)) return false;
    return true;
  }
  const std::vector<std::string> last = split_cells(lines.back());
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (!final.contains(header[c])) return false;
    const nlohmann::json& figure = final.at(header[c]);
    char* end = nullptr;
    const double cell = std::strtod(last[c].c_str(), &end);
    if (last[c].empty() || end != last[c].c_str() + last[c].size()) return false;
    // JSON writes a non-finite figure as null.
    if (figure.is_null() ? std::isfinite(cell) : !figure.is_number() || figure.get<double>() != cell) return false;
  }
  return true;
}

}  // namespace

SweepPlan sweep_plan(const Sweep& sweep) { return {sweep.source(), sweep.keys(), sweep.points()}; }

std::string plan_json(const SweepPlan& plan) {
  nlohmann::json json;
  json["scenario"] = plan.scenario;
  json["keys"] = plan.keys;
  json["points"] = nlohmann::json::array();
  for (const SweepPoint& point : plan.points) {
    nlohmann::json entry = {{"index", point.index},   {"id", point.id},
                            {"combination", point.combination}, {"repetition", point.repetition},
                            {"seed", point.seed},     {"parameters", nlohmann::json::array()}};
    for (const SweepParameter& parameter : point.parameters)
      entry["parameters"].push_back({{"key", parameter.path}, {"value", parameter.literal}, {"text", parameter.text}});
    json["points"].push_back(std::move(entry));
  }
  return json.dump(1) + "\n";
}

SweepPlan read_plan(const std::string& path) {
  const std::optional<std::string> text = read_text(path);
  if (!text) throw std::invalid_argument(fmt::format("{}: cannot read the sweep plan", path));
  try {
    const nlohmann::json json = nlohmann::json::parse(*text);
    SweepPlan plan;
    plan.scenario = json.at("scenario").get<std::string>();
    plan.keys = json.at("keys").get<std::vector<std::string>>();
    for (const nlohmann::json& entry : json.at("points")) {
      SweepPoint point;
      point.index = entry.at("index").get<std::size_t>();
      point.id = entry.at("id").get<std::string>();
      point.combination = entry.at("combination").get<std::size_t>();
      point.repetition = entry.at("repetition").get<std::int64_t>();
      point.seed = entry.at("seed").get<std::uint64_t>();
      for (const nlohmann::json& parameter : entry.at("parameters"))
        point.parameters.push_back({parameter.at("key").get<std::string>(), parameter.at("value").get<std::string>(),
                                    parameter.at("text").get<std::string>()});
      if (point.parameters.size() != plan.keys.size() || point.index != plan.points.size())
        throw std::invalid_argument("points out of order or with the wrong parameters");
      plan.points.push_back(std::move(point));
    }
    return plan;
  } catch (const std::exception& error) {
    throw std::invalid_argument(fmt::format("{}: not a dlsim sweep plan: {}", path, error.what()));
  }
}

std::optional<PointResult> read_point_result(const std::string& point_dir) {
  const std::optional<std::string> text = read_text((std::filesystem::path(point_dir) / "summary.json").string());
  if (!text) return std::nullopt;
  try {
    return result_from(nlohmann::json::parse(*text));
  } catch (const std::exception&) {
    return std::nullopt;  // not ours, or damaged: the point runs again
  }
}

std::string point_result_json(const PointResult& result) {
  nlohmann::json json = {{"status", result.status}, {"message", result.message}, {"final", result.final},
                         {"wall_seconds", result.wall_seconds}};
  return json.dump();
}

PointResult parse_point_result(const std::string& json) { return result_from(nlohmann::json::parse(json)); }

bool is_final_status(std::string_view status) {
  return status == "completed" || status == "diverged" || status == "stalled";
}

bool point_is_done(const std::string& point_dir, const Scenario& scenario) {
  const std::optional<std::string> text = read_text((std::filesystem::path(point_dir) / "summary.json").string());
  if (!text) return false;
  try {
    const nlohmann::json summary = nlohmann::json::parse(*text);
    const std::string status = summary.at("status").get<std::string>();
    // A stale result (another scenario, seed or dlsim's defaults) runs again.
    return is_final_status(status) &&
           summary.at("seed").get<std::int64_t>() == scenario.integer("seed") &&
           summary.at("scenario") == scenario_json(scenario) && metrics_match_summary(point_dir, summary);
  } catch (const std::exception&) {
    return false;
  }
}

void write_failed_summary(const std::string& point_dir, const Scenario& scenario, const std::string& message,
                          double wall_seconds) {
  std::filesystem::create_directories(point_dir);
  const nlohmann::json summary = {{"name", scenario.text("name")},
                                  {"seed", scenario.integer("seed")},
                                  {"scenario", scenario_json(scenario)},
                                  {"status", "failed"},
                                  {"message", message},
                                  {"final", nlohmann::json::object()},
                                  {"host", {{"wall_seconds", wall_seconds}}}};
  write_file_replacing((std::filesystem::path(point_dir) / "summary.json").string(), summary.dump(2) + "\n");
}

std::string runs_csv(const SweepPlan& plan, const std::vector<std::optional<PointResult>>& results) {
  std::set<std::string> figures;
  for (const std::optional<PointResult>& result : results)
    if (result)
      for (const auto& [name, value] : result->final) figures.insert(name);
  // A swept key or figure named like a fixed column gets a prefix.
  std::set<std::string> used = {"id", "index", "repetition", "seed", "status", "message", "wall_seconds"};
  std::vector<std::string> header = {"id", "index", "repetition", "seed"};
  for (const std::string& key : plan.keys) header.push_back(used.insert(key).second ? key : "sweep." + key);
  header.insert(header.end(), {"status", "message"});
  for (const std::string& name : figures) header.push_back(used.insert(name).second ? name : "final." + name);
  header.push_back("wall_seconds");

  std::string text;
  for (std::size_t i = 0; i < header.size(); ++i) text += (i ? "," : "") + csv_cell(header[i]);
  text += '\n';
  for (std::size_t p = 0; p < plan.points.size(); ++p) {
    const SweepPoint& point = plan.points[p];
    const std::optional<PointResult>& result = results.at(p);
    std::vector<std::string> row = {point.id, std::to_string(point.index), std::to_string(point.repetition),
                                    std::to_string(point.seed)};
    for (const SweepParameter& parameter : point.parameters) row.push_back(parameter.text);
    row.push_back(result ? result->status : "missing");
    row.push_back(result ? result->message : "");
    for (const std::string& name : figures) {
      const auto found = result ? result->final.find(name) : std::map<std::string, double>::const_iterator{};
      row.push_back(result && found != result->final.end() ? number_cell(found->second) : "");
    }
    row.push_back(result ? fmt::format("{:.3f}", result->wall_seconds) : "");
    for (std::size_t i = 0; i < row.size(); ++i) text += (i ? "," : "") + csv_cell(row[i]);
    text += '\n';
  }
  return text;
}

void write_file_replacing(const std::string& path, const std::string& content) {
  const std::string temporary = fmt::format("{}.tmp.{}", path, static_cast<long>(::getpid()));
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) throw std::runtime_error(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
  const bool written = std::fwrite(content.data(), 1, content.size(), file) == content.size();
  const bool flushed = std::fflush(file) == 0;
  std::fclose(file);
  if (!written || !flushed || std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(temporary.c_str());
    throw std::runtime_error(fmt::format("{}: cannot write: {}", path, std::strerror(error)));
  }
}

}  // namespace dlsim
