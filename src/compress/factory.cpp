// The one table of compressor kinds and their parameters.
#include "compress/factory.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stdexcept>

#include "compress/identity.hpp"
#include "compress/low_precision.hpp"
#include "compress/natural.hpp"
#include "compress/power_sgd.hpp"
#include "compress/qsgd.hpp"
#include "compress/rand_k.hpp"
#include "compress/rescaled.hpp"
#include "compress/sign.hpp"
#include "compress/threshold.hpp"
#include "compress/top_k.hpp"
#include "topologies/errors.hpp"

namespace dlsim {
namespace {

constexpr ParamSpec kCount{"k", ParamType::integer, "0", "entries kept; 0 means use ratio"};
constexpr ParamSpec kRatio{"ratio", ParamType::real, "0.01", "fraction of entries kept when k = 0"};
constexpr ParamSpec kIndex{"index", ParamType::text, "log2d", "index coding: 32 bits, ceil(log2 d) bits, or gaps in Elias-gamma",
                           "fixed32|log2d|elias-gamma"};

std::size_t non_negative(const ParamValues& p, std::string_view name, std::string_view kind) {
  const auto v = p.integer(name);
  if (v < 0) throw std::invalid_argument(fmt::format("{}: parameter '{}' must be >= 0", kind, name));
  return std::size_t(v);
}

std::size_t positive(const ParamValues& p, std::string_view name, std::string_view kind) {
  const auto v = p.integer(name);
  if (v < 1) throw std::invalid_argument(fmt::format("{}: parameter '{}' must be >= 1", kind, name));
  return std::size_t(v);
}

const ParamSpec kRescale{"rescale", ParamType::boolean, "false",
                         "decode C(x) / (1 + omega): a contraction with delta = 1 / (1 + omega), biased (for CHOCO)"};

std::unique_ptr<Compressor> rescaled_if(const ParamValues& p, std::unique_ptr<Compressor> compressor) {
  if (!p.boolean("rescale")) return compressor;
  return std::make_unique<Rescaled>(std::move(compressor));
}

const std::vector<CompressorKind>& table() {
  static const std::vector<CompressorKind> kinds = {
      {"identity", "no compression: fp32 values (32 bits each)", {},
       [](const ParamValues&) { return std::make_unique<Identity>(); }},
      {"top-k", "k largest magnitudes; delta = k/d, biased",
       {kCount, kRatio, kIndex},
       [](const ParamValues& p) {
         return std::make_unique<TopK>(non_negative(p, "k", "top-k"), p.real("ratio"), parse_index_coding(p.text("index")));
       }},
      {"rand-k", "k uniformly random coordinates; delta = k/d (unscaled) or unbiased with scaled",
       {kCount, kRatio, kIndex,
        {"scaled", ParamType::boolean, "false", "multiply by d/k: unbiased, variance d/k - 1"},
        {"shared_seed", ParamType::boolean, "false", "receiver regenerates the indices: none are sent"}},
       [](const ParamValues& p) {
         return std::make_unique<RandK>(non_negative(p, "k", "rand-k"), p.real("ratio"), p.boolean("scaled"),
                                        p.boolean("shared_seed"), parse_index_coding(p.text("index")));
       }},
      {"sign", "scaled sign: (||x||_1/d) sign(x), d + 32 bits; delta >= 1/d, biased", {},
       [](const ParamValues&) { return std::make_unique<ScaledSign>(); }},
      {"qsgd", "QSGD random dithering to s levels of the norm; unbiased",
       {{"levels", ParamType::integer, "16", "quantisation levels s"},
        {"coding", ParamType::text, "naive", "level coding: fixed width, or Elias-gamma", "naive|elias"},
        kRescale},
       [](const ParamValues& p) {
         return rescaled_if(p, std::make_unique<Qsgd>(std::uint32_t(positive(p, "levels", "qsgd")),
                                                      p.text("coding") == "elias" ? Qsgd::Coding::elias
                                                                                  : Qsgd::Coding::naive));
       }},
      {"natural", "natural compression: random rounding to a power of two, 9 bits per value; unbiased", {kRescale},
       [](const ParamValues& p) { return rescaled_if(p, std::make_unique<NaturalCompression>()); }},
      {"low-precision", "fp16, bf16 (16 bits) or int8 with one fp32 scale (8 bits)",
       {{"format", ParamType::text, "fp16", "number format", "fp16|bf16|int8"},
        {"stochastic", ParamType::boolean, "false", "stochastic rounding (unbiased) instead of nearest"}},
       [](const ParamValues& p) {
         return std::make_unique<LowPrecision>(LowPrecision::parse_format(p.text("format")), p.boolean("stochastic"));
       }},
      {"power-sgd", "rank-r approximation P Q^T of the block as a rows x (d/rows) matrix",
       {{"rows", ParamType::integer, "1", "rows m of the matrix view (d must be a multiple)"},
        {"rank", ParamType::integer, "1", "rank r: 32 r (m + n) bits"}},
       [](const ParamValues& p) {
         return std::make_unique<PowerSgd>(positive(p, "rows", "power-sgd"), positive(p, "rank", "power-sgd"));
       }},
      {"threshold", "every coordinate with |x_i| >= threshold; 32-bit count header",
       {{"threshold", ParamType::real, "0.001", "magnitude kept"}, kIndex},
       [](const ParamValues& p) {
         return std::make_unique<ThresholdSparsifier>(p.real("threshold"), parse_index_coding(p.text("index")));
       }},
  };
  return kinds;
}

}  // namespace

std::span<const CompressorKind> compressor_kinds() { return table(); }

std::unique_ptr<Compressor> make_compressor(std::string_view kind, const ParamMap& params) {
  std::vector<std::string_view> names;
  for (const auto& entry : table()) {
    if (entry.name == kind) return entry.make(ParamValues::resolve(entry.name, entry.params, params));
    names.push_back(entry.name);
  }
  throw std::invalid_argument(unknown_kind_message("compressor", kind, names));
}

std::string compressor_help() {
  std::string out;
  for (const auto& entry : table()) out += kind_help(entry.name, entry.help, entry.params);
  return out;
}

}  // namespace dlsim
