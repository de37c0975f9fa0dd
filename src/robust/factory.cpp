// The one table of aggregator kinds and their parameters.
#include "robust/factory.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stdexcept>

#include "robust/bucketing.hpp"
#include "robust/bulyan.hpp"
#include "robust/clipping.hpp"
#include "robust/coordinate_wise.hpp"
#include "robust/geometric_median.hpp"
#include "robust/krum.hpp"
#include "robust/mean.hpp"
#include "topologies/errors.hpp"

namespace dlsim {
namespace {

constexpr ParamSpec kF{"f", ParamType::integer, "0", "Byzantine inputs tolerated"};
constexpr ParamSpec kTau{"tau", ParamType::real, "1.0", "clipping radius"};

std::size_t count(const ParamValues& p, std::string_view name, std::string_view kind, std::int64_t least) {
  const auto v = p.integer(name);
  if (v < least) throw std::invalid_argument(fmt::format("{}: parameter '{}' must be >= {}, got {}", kind, name, least, v));
  return std::size_t(v);
}

const std::vector<AggregatorKind>& table() {
  static const std::vector<AggregatorKind> kinds = {
      {"mean", "weighted mean (FedAvg); not robust: one input moves it arbitrarily", {},
       [](const ParamValues&, const ParamMap&) { return std::make_unique<MeanAggregator>(); }},
      {"median", "coordinate-wise median (Yin et al. 2018); f < n/2", {},
       [](const ParamValues&, const ParamMap&) { return std::make_unique<CoordinateMedian>(); }},
      {"trimmed-mean", "coordinate-wise trimmed mean (Yin et al. 2018): drop f (or beta n) per side; n > 2f",
       {{"f", ParamType::integer, "-1", "values dropped on each side; -1: use beta"},
        {"beta", ParamType::real, "0.1", "fraction dropped on each side when f = -1, in [0, 0.5)"}},
       [](const ParamValues& p, const ParamMap&) {
         const auto f = p.integer("f");
         if (f < -1) throw std::invalid_argument(fmt::format("trimmed-mean: parameter 'f' must be >= 0 (or -1), got {}", f));
         return std::make_unique<TrimmedMean>(f, p.real("beta"));
       }},
      {"krum", "Krum (Blanchard et al. 2017): the input closest to its n - f - 2 neighbours; n > 2f + 2", {kF},
       [](const ParamValues& p, const ParamMap&) { return std::make_unique<Krum>(count(p, "f", "krum", 0), 1); }},
      {"multi-krum", "multi-Krum: mean of the m best Krum scores; n > 2f + 2",
       {kF, {"m", ParamType::integer, "0", "inputs averaged; 0 means n - f"}},
       [](const ParamValues& p, const ParamMap&) {
         return std::make_unique<Krum>(count(p, "f", "multi-krum", 0), count(p, "m", "multi-krum", 0));
       }},
      {"geometric-median", "geometric median by smoothed Weiszfeld (RFA, Pillutla et al. 2022)",
       {{"nu", ParamType::real, "1e-6", "smoothing: distances below nu count as nu"},
        {"iterations", ParamType::integer, "100", "most Weiszfeld iterations (the cost charged)"},
        {"tolerance", ParamType::real, "1e-8", "stop when the objective's relative decrease is below this"}},
       [](const ParamValues& p, const ParamMap&) {
         return std::make_unique<GeometricMedian>(p.real("nu"), count(p, "iterations", "geometric-median", 0),
                                                  p.real("tolerance"));
       }},
      {"centered-clipping", "centered clipping around the previous aggregate (Karimireddy et al. 2021)",
       {kTau, {"iterations", ParamType::integer, "1", "clipping iterations"}},
       [](const ParamValues& p, const ParamMap&) {
         return std::make_unique<CenteredClipping>(p.real("tau"), count(p, "iterations", "centered-clipping", 1));
       }},
      {"norm-clipping", "mean of the inputs clipped to norm tau", {kTau},
       [](const ParamValues& p, const ParamMap&) { return std::make_unique<NormClipping>(p.real("tau")); }},
      {"bulyan", "Bulyan (El Mhamdi et al. 2018): Krum selection then trimmed median; n >= 4f + 3", {kF},
       [](const ParamValues& p, const ParamMap&) { return std::make_unique<Bulyan>(count(p, "f", "bulyan", 0)); }},
      {"bucketing", "bucketing (Karimireddy et al. 2022): means of random buckets of s, then the inner aggregator",
       {{"s", ParamType::integer, "2", "bucket size"},
        {"inner", ParamType::text, "median", "inner aggregator kind; its parameters as inner.NAME"}},
       [](const ParamValues& p, const ParamMap& inner) {
         if (p.text("inner") == "bucketing") throw std::invalid_argument("bucketing: parameter 'inner' cannot be bucketing");
         return std::make_unique<Bucketing>(count(p, "s", "bucketing", 1), make_aggregator(p.text("inner"), inner));
       }},
  };
  return kinds;
}

}  // namespace

std::span<const AggregatorKind> aggregator_kinds() { return table(); }

std::unique_ptr<RobustAggregator> make_aggregator(std::string_view kind, const ParamMap& params) {
  std::vector<std::string_view> names;
  for (const auto& entry : table()) {
    if (entry.name != kind) {
      names.push_back(entry.name);
      continue;
    }
    ParamMap own, inner;
    constexpr std::string_view kInnerPrefix = "inner.";
    for (const auto& [key, value] : params) {
      if (kind == "bucketing" && key.starts_with(kInnerPrefix))
        inner.emplace(key.substr(kInnerPrefix.size()), value);
      else
        own.emplace(key, value);
    }
    return entry.make(ParamValues::resolve(entry.name, entry.params, own), inner);
  }
  throw std::invalid_argument(unknown_kind_message("aggregator", kind, names));
}

std::string aggregator_help() {
  std::string out;
  for (const auto& entry : table()) out += kind_help(entry.name, entry.help, entry.params);
  return out;
}

}  // namespace dlsim
