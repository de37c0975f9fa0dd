#include "compress/index_coding.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace dlsim;

TEST_CASE("index coding sizes by hand") {
  CHECK(ceil_log2(1000) == 10);
  CHECK(ceil_log2(1024) == 10);
  CHECK(ceil_log2(1025) == 11);
  CHECK(ceil_log2(1) == 0);
  CHECK(elias_gamma_bits(1) == 1);
  CHECK(elias_gamma_bits(2) == 3);
  CHECK(elias_gamma_bits(4) == 5);
  CHECK(elias_gamma_bits(7) == 5);
  const std::vector<std::uint32_t> idx = {0, 3, 10};  // gaps 1, 3, 7 -> 1 + 3 + 5 bits
  CHECK(index_bits(IndexCoding::elias_gamma, idx, 1000) == 9);
  CHECK(index_bits(IndexCoding::log2d, idx, 1000) == 30);
  CHECK(index_bits(IndexCoding::fixed32, idx, 1000) == 96);
  CHECK(parse_index_coding("elias-gamma") == IndexCoding::elias_gamma);
  CHECK_THROWS_AS(parse_index_coding("huffman"), std::invalid_argument);
}
