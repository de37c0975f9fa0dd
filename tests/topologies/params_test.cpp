#include "topologies/params.hpp"

#include <catch2/catch.hpp>

#include "topologies/errors.hpp"

using namespace dlsim;
using Catch::Matchers::Contains;

namespace {
const ParamSpec kSpecs[] = {
    {"d", ParamType::integer, "4", "degree"},
    {"p", ParamType::real, "0.5", "probability"},
    {"connected", ParamType::boolean, "false", "redraw"},
};
}

TEST_CASE("parameters take defaults and parse the given text") {
  const auto defaults = ParamValues::resolve_text("kind", kSpecs, {});
  CHECK(defaults.integer("d") == 4);
  CHECK(defaults.real("p") == 0.5);
  CHECK_FALSE(defaults.boolean("connected"));
  CHECK_FALSE(defaults.given("d"));
  const auto given = ParamValues::resolve_text("kind", kSpecs, {{"d", "8"}, {"p", "1e-3"}, {"connected", "yes"}});
  CHECK(given.integer("d") == 8);
  CHECK(given.real("p") == 1e-3);
  CHECK(given.boolean("connected"));
  CHECK(given.given("d"));
}

TEST_CASE("bad parameters name the owner, the parameter and the problem") {
  CHECK_THROWS_WITH(ParamValues::resolve_text("kind", kSpecs, {{"dd", "3"}}),
                    Contains("kind: unknown parameter 'dd'") && Contains("did you mean 'd'"));
  CHECK_THROWS_WITH(ParamValues::resolve_text("kind", kSpecs, {{"d", "3.5"}}), Contains("d=3.5: expected an integer"));
  CHECK_THROWS_WITH(ParamValues::resolve_text("kind", kSpecs, {{"p", "0.1x"}}), Contains("expected a real number"));
  CHECK_THROWS_WITH(ParamValues::resolve_text("kind", kSpecs, {{"connected", "maybe"}}), Contains("true or false"));
  CHECK_THROWS_WITH(ParamValues::resolve_text("kind", {}, {{"x", "1"}}), Contains("takes no parameters"));
  ParamText text;
  parse_param_assignment("p=0.25", text);
  CHECK(text.at("p") == "0.25");
  CHECK_THROWS_AS(parse_param_assignment("p", text), ParamError);
}
