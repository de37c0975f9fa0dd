#include "compress/factory.hpp"

#include "check.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("factory: kinds by name with declared parameters") {
  auto c = make_compressor("top-k", {{"ratio", 0.01}});
  CHECK(c->name() == "top-k(ratio=0.01, index=log2d)");
  CHECK(make_compressor("qsgd", {{"levels", 16}, {"coding", "elias"}})->name() == "qsgd(levels=16, coding=elias)");
  CHECK(make_compressor("low-precision", {{"format", "int8"}})->traits(10).unbiased == false);
  CHECK(make_compressor("top-k", {{"ratio", 1}})->traits(10).delta == 1.0);  // an integer is accepted as a real
}

TEST_CASE("factory: every problem is one clear message") {
  auto message = [](auto&& make) {
    try {
      make();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message([] { make_compressor("topk"); }) == "unknown compressor 'topk' (did you mean 'top-k'?)");
  CHECK(message([] { make_compressor("top-k", {{"ration", 0.1}}); }) ==
        "top-k: unknown parameter 'ration' (did you mean 'ratio'?)");
  CHECK(message([] { make_compressor("top-k", {{"ratio", "big"}}); }) == "top-k: parameter ratio must be a finite real");
  CHECK(message([] { make_compressor("top-k", {{"index", "huffman"}}); }) ==
        "top-k: parameter index=huffman: expected one of fixed32|log2d|elias-gamma");
  CHECK(message([] { make_compressor("qsgd", {{"levels", 0}}); }) == "qsgd: parameter 'levels' must be >= 1");
}

TEST_CASE("factory: every kind keeps its stated contraction on random vectors") {
  for (const auto& kind : compressor_kinds()) {
    ParamMap params;
    if (kind.name == "power-sgd") params = {{"rows", 10}, {"rank", 2}};
    auto c = make_compressor(kind.name, params);
    INFO(kind.name);
    check_contraction(*c, 100, 100);
  }
  const auto help = compressor_help();
  CHECK(help.find("top-k: k largest magnitudes") != std::string::npos);
  CHECK(help.find("  ratio (real, default 0.01): fraction of entries kept when k = 0") != std::string::npos);
}
