// Robust aggregators by kind name and parameters, as scenario files will name them:
//   make_aggregator("krum", {{"f", 2}})
//   make_aggregator("bucketing", {{"s", 2}, {"inner", "centered-clipping"}, {"inner.tau", 1.0}})
// Each kind declares its parameters once in aggregator_kinds() (STYLE.md 4).
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "robust/aggregator.hpp"
#include "topologies/params.hpp"

namespace dlsim {

struct AggregatorKind {
  std::string_view name;
  std::string_view help;  // one line
  std::vector<ParamSpec> params;
  std::function<std::unique_ptr<RobustAggregator>(const ParamValues&, const ParamMap& inner)> make;
};

// mean, median, trimmed-mean, krum, multi-krum, geometric-median,
// centered-clipping, norm-clipping, bulyan, bucketing.
std::span<const AggregatorKind> aggregator_kinds();

// Throws std::invalid_argument for an unknown kind (suggesting the nearest) or a
// parameter problem, naming the kind and the parameter. Bucketing passes its
// "inner.NAME" parameters to its inner aggregator as NAME.
std::unique_ptr<RobustAggregator> make_aggregator(std::string_view kind, const ParamMap& params = {});

// Each kind, its help line and its parameters with type, default and help.
std::string aggregator_help();

}  // namespace dlsim
