#include "compress/index_coding.hpp"

#include <stdexcept>

namespace dlsim {

IndexCoding parse_index_coding(std::string_view name) {
  if (name == "fixed32") return IndexCoding::fixed32;
  if (name == "log2d") return IndexCoding::log2d;
  if (name == "elias-gamma") return IndexCoding::elias_gamma;
  throw std::invalid_argument("unknown index coding '" + std::string(name) +
                              "' (expected fixed32, log2d or elias-gamma)");
}

std::string_view to_string(IndexCoding coding) {
  switch (coding) {
    case IndexCoding::fixed32: return "fixed32";
    case IndexCoding::log2d: return "log2d";
    case IndexCoding::elias_gamma: return "elias-gamma";
  }
  return "?";
}

std::uint32_t ceil_log2(std::uint64_t d) {
  return d <= 1 ? 0u : 64u - static_cast<std::uint32_t>(__builtin_clzll(d - 1));
}

std::uint64_t index_bits(IndexCoding coding, std::span<const std::uint32_t> indices, std::size_t d) {
  switch (coding) {
    case IndexCoding::fixed32: return 32ull * indices.size();
    case IndexCoding::log2d: return std::uint64_t{ceil_log2(d)} * indices.size();
    case IndexCoding::elias_gamma: {
      std::uint64_t bits = 0;
      std::uint64_t previous = 0;  // gap of the first index i_0 is i_0 + 1
      bool first = true;
      for (std::uint32_t i : indices) {
        bits += elias_gamma_bits(first ? std::uint64_t{i} + 1 : i - previous);
        previous = i;
        first = false;
      }
      return bits;
    }
  }
  return 0;
}

}  // namespace dlsim
