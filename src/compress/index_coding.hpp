// How sparse operators send their coordinates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace dlsim {

enum class IndexCoding {
  fixed32,      // 32 bits per index
  log2d,        // ceil(log2 d) bits per index
  elias_gamma,  // ascending indices as gaps (first gap i_0 + 1, then i_j - i_{j-1}),
                // each gap g >= 1 Elias-gamma coded in 2 floor(log2 g) + 1 bits
};

// "fixed32", "log2d", "elias-gamma" <-> IndexCoding; parse throws std::invalid_argument.
IndexCoding parse_index_coding(std::string_view name);
std::string_view to_string(IndexCoding coding);

// ceil(log2 d), 0 for d <= 1.
std::uint32_t ceil_log2(std::uint64_t d);
// Length of the Elias-gamma code of n >= 1: 2 floor(log2 n) + 1.
inline std::uint32_t elias_gamma_bits(std::uint64_t n) {
  return 2u * static_cast<std::uint32_t>(63 - __builtin_clzll(n)) + 1u;
}
// Bits to send `indices` (ascending, < d) with `coding`. O(indices) for Elias-gamma, O(1) otherwise.
std::uint64_t index_bits(IndexCoding coding, std::span<const std::uint32_t> indices, std::size_t d);

}  // namespace dlsim
