// Fuzzes scenario files with --set overrides (src/scenario): the input is the
// TOML text, then optionally a line "#--set" followed by one override
// "key.path=value" per line, as `dlsim run FILE --set ...` receives them.
// "#--set" is a TOML comment, so any scenario file is a seed as it is.
// parse_sweep reads the text as parse_scenario does, then expands and
// validates every point of a [sweep] table (one point without one).
// Promise checked beyond "accepted or ScenarioError": the resolved scenario
// that `dlsim validate` prints reads back as the same scenario.
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "scenario/experiment.hpp"
#include "scenario/sweep.hpp"

using namespace dlsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = fuzz::split_at_line(fuzz::as_text(data, size), "#--set");
  const std::string_view text = parts.front();
  std::vector<std::string> overrides;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    std::string_view rest = parts[i];
    while (!rest.empty()) {
      const std::size_t newline = rest.find('\n');
      overrides.emplace_back(rest.substr(0, newline));
      rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    }
  }
  const Schema& schema = scenario_schema();
  fuzz::accepts([&] {
    const Sweep sweep = parse_sweep(text, "fuzz.toml", overrides, schema);
    fuzz::require(!sweep.points().empty(), "an accepted sweep has at least one point");
    const std::string resolved = sweep.scenario(sweep.points().front()).to_toml();
    std::string again;
    fuzz::require(fuzz::accepts([&] { again = parse_scenario(resolved, "resolved.toml", {}, schema).to_toml(); }),
                  "the resolved scenario is accepted");
    fuzz::require(again == resolved, "the resolved scenario reads back as itself");
  });
  return 0;
}
