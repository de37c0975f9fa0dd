// Compressors by kind name and parameters, as scenario files name them:
//   make_compressor("top-k", {{"ratio", 0.01}})
//   make_compressor("qsgd", {{"levels", 16}, {"coding", "elias"}})
// Each kind declares its parameters once in compressor_kinds(); that table
// drives validation, defaults and compressor_help().
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compress/compressor.hpp"
#include "topologies/params.hpp"

namespace dlsim {

struct CompressorKind {
  std::string_view name;
  std::string_view help;  // one line
  std::vector<ParamSpec> params;
  std::function<std::unique_ptr<Compressor>(const ParamValues&)> make;
};

// Every kind: identity, top-k, rand-k, sign, qsgd, natural, low-precision,
// power-sgd, threshold.
std::span<const CompressorKind> compressor_kinds();

// Throws std::invalid_argument for an unknown kind (suggesting the nearest) or
// any parameter problem (see ParamValues), naming the kind.
std::unique_ptr<Compressor> make_compressor(std::string_view kind, const ParamMap& params = {});

// A reference listing: each kind, its help line and its parameters with type,
// default and help, for `--help`-style output and the README.
std::string compressor_help();

}  // namespace dlsim
