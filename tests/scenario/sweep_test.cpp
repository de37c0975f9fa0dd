// Sweep expansion: counts, order, ids, seeds, ranges, shards and every error
// of a [sweep] table, against a small schema of the same shape as dlsim's.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include "scenario/sweep.hpp"

namespace dlsim {
namespace {

KeySpec key(std::string name, ValueType type, std::string default_value, double minimum = -1e308,
            double maximum = 1e308) {
  KeySpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.default_value = std::move(default_value);
  spec.minimum = minimum;
  spec.maximum = maximum;
  return spec;
}

KeySpec choice(std::string name, std::vector<std::string> choices, std::string default_value) {
  KeySpec spec = key(std::move(name), ValueType::choice, "\"" + default_value + "\"");
  spec.choices = std::move(choices);
  return spec;
}

const Schema& test_schema() {
  static const Schema schema = [] {
    std::vector<SectionSpec> sections;
    sections.push_back({"", "", {key("name", ValueType::string, "\"test\""), key("seed", ValueType::integer, "1", 0),
                                 key("nodes", ValueType::integer, "16", 1)}, {}});
    SectionSpec topology{"topology", "", {choice("kind", {"ring", "torus", "complete"}, "ring")}, {}};
    topology.kind_keys = [](const Schema&, std::string_view kind) {
      return kind == "torus" ? std::vector<KeySpec>{key("rows", ValueType::integer, "0", 0)} : std::vector<KeySpec>{};
    };
    sections.push_back(std::move(topology));
    sections.push_back({"network", "", {key("latency", ValueType::duration, "\"1ms\"")}, {}});
    sections.push_back({"algorithm", "", {key("learning_rate", ValueType::real, "0.1", 0),
                                          key("batch_size", ValueType::integer, "32", 1)}, {}});
    SectionSpec compression{"compression", "", {choice("kind", {"none", "top-k"}, "none")}, {}};
    compression.kind_keys = [](const Schema&, std::string_view kind) {
      return kind == "top-k" ? std::vector<KeySpec>{key("ratio", ValueType::real, "0.01", 0, 1)} : std::vector<KeySpec>{};
    };
    sections.push_back(std::move(compression));
    sections.push_back({"model", "", {key("hidden", ValueType::integer_list, "[8]", 1)}, {}});
    sections.push_back({"sweep", "", {}, {}});
    return Schema(std::move(sections));
  }();
  return schema;
}

const std::string kBase = "name = \"s\"\nseed = 7\n[compression]\nkind = \"top-k\"\n";

Sweep sweep_of(const std::string& sweep_table, const std::vector<std::string>& overrides = {}) {
  return parse_sweep(kBase + "[sweep]\n" + sweep_table, "s.toml", overrides, test_schema());
}

std::string error_of(const std::string& sweep_table) {
  try {
    sweep_of(sweep_table);
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "no ScenarioError";
}

std::vector<std::string> texts(const SweepPoint& point) {
  std::vector<std::string> out;
  for (const SweepParameter& parameter : point.parameters) out.push_back(parameter.text);
  return out;
}

}  // namespace

TEST_CASE("A sweep is the cartesian product in file order, the last key fastest") {
  const Sweep sweep = sweep_of("\"topology.kind\" = [\"ring\", \"complete\"]\n\"compression.ratio\" = [1.0, 0.1, 0.01]\n");
  REQUIRE(sweep.points().size() == 6);
  CHECK(sweep.keys() == std::vector<std::string>{"topology.kind", "compression.ratio"});
  CHECK(sweep.axis_lengths() == std::vector<std::size_t>{2, 3});
  CHECK(texts(sweep.points()[0]) == std::vector<std::string>{"ring", "1.0"});
  CHECK(texts(sweep.points()[1]) == std::vector<std::string>{"ring", "0.1"});
  CHECK(texts(sweep.points()[5]) == std::vector<std::string>{"complete", "0.01"});
  CHECK(sweep.points()[0].parameters[0].literal == "\"ring\"");
  std::set<std::string> ids;
  for (const SweepPoint& point : sweep.points()) {
    CHECK(point.index == ids.size());
    CHECK(point.seed == 7);  // paired, repetition 0: the scenario's seed
    ids.insert(point.id);
  }
  CHECK(ids.size() == 6);
  CHECK(sweep.points()[4].id.rfind("0.1_complete-", 0) == 0);

  const Scenario point = sweep.scenario(sweep.points()[4]);
  CHECK(point.text("topology.kind") == "complete");
  CHECK(point.real("compression.ratio") == 0.1);
  CHECK(point.integer("seed") == 7);
  CHECK_FALSE(point.has("sweep"));
}

TEST_CASE("Swept keys may be written quoted, dotted or as a sub-table") {
  const Sweep quoted = sweep_of("\"algorithm.learning_rate\" = [0.1, 0.2]\n");
  const Sweep dotted = sweep_of("algorithm.learning_rate = [0.1, 0.2]\n");
  const Sweep table = sweep_of("[sweep.algorithm]\nlearning_rate = [0.1, 0.2]\n");
  REQUIRE(quoted.points().size() == 2);
  for (const Sweep* other : {&dotted, &table}) {
    REQUIRE(other->points().size() == 2);
    CHECK(other->keys() == quoted.keys());
    CHECK(other->points()[1].id == quoted.points()[1].id);
  }
}

TEST_CASE("Ids are stable: the same file gives the same ids, in any key order") {
  const Sweep a = sweep_of("\"topology.kind\" = [\"ring\", \"torus\"]\n\"network.latency\" = [\"1ms\", \"5ms\"]\n");
  const Sweep b = sweep_of("\"topology.kind\" = [\"ring\", \"torus\"]\n\"network.latency\" = [\"1ms\", \"5ms\"]\n");
  const Sweep swapped = sweep_of("\"network.latency\" = [\"1ms\", \"5ms\"]\n\"topology.kind\" = [\"ring\", \"torus\"]\n");
  std::set<std::string> ids_a, ids_swapped;
  for (std::size_t i = 0; i < a.points().size(); ++i) {
    CHECK(a.points()[i].id == b.points()[i].id);
    CHECK(a.points()[i].seed == b.points()[i].seed);
    ids_a.insert(a.points()[i].id);
    ids_swapped.insert(swapped.points()[i].id);
  }
  CHECK(ids_a == ids_swapped);
  // Pinned: an id names a results folder, so the scheme must not drift.
  CHECK(a.points()[0].id == "1ms_ring-4389ad32");
  CHECK(a.points()[3].id == "5ms_torus-9e349a9d");
}

TEST_CASE("A zip group varies its keys together, in the place of its first key") {
  const Sweep sweep = sweep_of(
      "\"algorithm.learning_rate\" = [0.1, 0.2, 0.3]\n\"topology.kind\" = [\"ring\", \"complete\"]\n"
      "\"algorithm.batch_size\" = [8, 16, 32]\nzip = [[\"algorithm.learning_rate\", \"algorithm.batch_size\"]]\n");
  REQUIRE(sweep.points().size() == 6);
  CHECK(sweep.keys() == std::vector<std::string>{"algorithm.learning_rate", "algorithm.batch_size", "topology.kind"});
  CHECK(texts(sweep.points()[0]) == std::vector<std::string>{"0.1", "8", "ring"});
  CHECK(texts(sweep.points()[1]) == std::vector<std::string>{"0.1", "8", "complete"});
  CHECK(texts(sweep.points()[5]) == std::vector<std::string>{"0.3", "32", "complete"});
  // A flat list is one group.
  CHECK(sweep_of("\"algorithm.learning_rate\" = [0.1, 0.2]\n\"algorithm.batch_size\" = [8, 16]\n"
                 "zip = [\"algorithm.learning_rate\", \"algorithm.batch_size\"]\n")
            .points()
            .size() == 2);
}

TEST_CASE("repeat = N: paired seeds are shared by every point, new seeds differ") {
  const Sweep paired = sweep_of("\"topology.kind\" = [\"ring\", \"complete\"]\nrepeat = 3\n");
  REQUIRE(paired.points().size() == 6);
  CHECK(paired.seed_mode() == SeedMode::paired);
  for (std::size_t r = 0; r < 3; ++r) {
    CHECK(paired.points()[r].repetition == static_cast<std::int64_t>(r));
    CHECK(paired.points()[r].combination == 0);
    CHECK(paired.points()[3 + r].seed == paired.points()[r].seed);
  }
  CHECK(paired.points()[0].seed == 7);
  CHECK(paired.points()[1].seed != paired.points()[2].seed);
  CHECK(paired.points()[1].seed < (std::uint64_t{1} << 53));
  CHECK(paired.points()[1].id.find("_r1-") != std::string::npos);

  const Sweep fresh = sweep_of("\"topology.kind\" = [\"ring\", \"complete\"]\nrepeat = 3\nseeds = \"new\"\n");
  std::set<std::uint64_t> seeds;
  for (const SweepPoint& point : fresh.points()) seeds.insert(point.seed);
  CHECK(seeds.size() == 6);
  // A point's new seeds depend on its values, not on the other points.
  const Sweep more = sweep_of("\"topology.kind\" = [\"torus\", \"ring\", \"complete\"]\nrepeat = 3\nseeds = \"new\"\n");
  CHECK(more.points()[3].seed == fresh.points()[0].seed);
  CHECK(more.points()[3].id == fresh.points()[0].id);
  CHECK(fresh.scenario(fresh.points()[4]).integer("seed") == static_cast<std::int64_t>(fresh.points()[4].seed));
}

TEST_CASE("logspace and linspace ranges") {
  const Sweep log = sweep_of("\"algorithm.learning_rate\" = { logspace = [1e-3, 1e-1], count = 5 }\n");
  REQUIRE(log.points().size() == 5);
  std::vector<std::string> values;
  for (const SweepPoint& point : log.points()) values.push_back(point.parameters[0].text);
  CHECK(values == std::vector<std::string>{"0.001", "0.00316227766017", "0.01", "0.0316227766017", "0.1"});
  const Sweep lin = sweep_of("\"compression.ratio\" = { linspace = [0, 1], count = 3 }\n");
  REQUIRE(lin.points().size() == 3);
  CHECK(lin.points()[1].parameters[0].text == "0.5");
  CHECK(lin.points()[2].parameters[0].text == "1.0");
  CHECK(lin.scenario(lin.points()[2]).real("compression.ratio") == 1.0);
}

TEST_CASE("Overrides apply to every point and a sweep of no keys is one point") {
  const Sweep sweep = sweep_of("\"topology.kind\" = [\"ring\", \"complete\"]\n", {"algorithm.learning_rate=0.5"});
  CHECK(sweep.scenario(sweep.points()[1]).real("algorithm.learning_rate") == 0.5);
  CHECK_THROWS_WITH(sweep_of("\"topology.kind\" = [\"ring\", \"complete\"]\n", {"topology.kind=torus"}),
                    "--set topology.kind=torus: topology.kind is swept (s.toml:6:1): remove it from [sweep] to fix its value");
  const Sweep none = parse_sweep(kBase, "s.toml", {}, test_schema());
  REQUIRE(none.points().size() == 1);
  CHECK(none.points()[0].id.rfind("run-", 0) == 0);
  CHECK(none.keys().empty());
}

TEST_CASE("List values (of list keys) are swept as values") {
  const Sweep sweep = sweep_of("\"model.hidden\" = [[16], [32, 32]]\n");
  REQUIRE(sweep.points().size() == 2);
  CHECK(sweep.points()[1].parameters[0].literal == "[32, 32]");
  CHECK(sweep.scenario(sweep.points()[1]).integers("model.hidden") == std::vector<std::int64_t>{32, 32});
}

TEST_CASE("Sweep errors name the file, line, column and key path") {
  CHECK(error_of("\"compression.ration\" = [0.1]\n") ==
        "s.toml:6:1: sweep.compression.ration: unknown key path \"compression.ration\" "
        "(did you mean \"compression.ratio\"?)");
  CHECK(error_of("\"topology\" = [\"ring\"]\n").find("\"topology\" is a section: sweep one of its keys") !=
        std::string::npos);
  CHECK(error_of("\"compression.ratio\" = [0.1, 1.5]\n") ==
        "s.toml:6:29: compression.ratio: must be in [0, 1], got 1.5 (in the sweep point compression.ratio=1.5)");
  CHECK(error_of("\"network.latency\" = [\"1ms\", \"5 parsecs\"]\n").rfind("s.toml:6:29: network.latency: bad duration \"5 parsecs\"", 0) == 0);
  CHECK(error_of("\"topology.kind\" = [\"ring\", \"rign\"]\n").find("s.toml:6:28: topology.kind: \"rign\" is not one of: ring, torus, complete (did you mean \"ring\"?)") == 0);
  // A range's values are checked at the range.
  CHECK(error_of("\"compression.ratio\" = { linspace = [0.5, 2], count = 4 }\n").rfind("s.toml:6:23: compression.ratio: must be", 0) == 0);
  CHECK(error_of("\"algorithm.batch_size\" = [8, 16]\n\"algorithm.learning_rate\" = [0.1]\n"
                 "zip = [[\"algorithm.batch_size\", \"algorithm.learning_rate\"]]\n") ==
        "s.toml:7:29: sweep.algorithm.learning_rate: 1 values, but \"algorithm.batch_size\" (zipped with it) has 2: "
        "zipped keys need lists of equal length");
  CHECK(error_of("\"algorithm.batch_size\" = [8, 16]\nzip = [[\"algorithm.batch_size\", \"algorithm.learning_rat\"]]\n")
            .find("\"algorithm.learning_rat\" is not a swept key") != std::string::npos);
  CHECK(error_of("\"topology.kind\" = []\n") == "s.toml:6:19: sweep.topology.kind: an empty list: a swept key needs at least one value");
  CHECK(error_of("\"topology.kind\" = \"ring\"\n").find("expected a list of values, or a range") != std::string::npos);
  CHECK(error_of("\"compression.ratio\" = [0.1, 0.10]\n") == "s.toml:6:29: sweep.compression.ratio: the value 0.1 is listed twice");
  CHECK(error_of("repeat = 0\n") == "s.toml:6:10: sweep.repeat: must be an integer in [1, 10000]");
  CHECK(error_of("seeds = \"pared\"\n").find("(did you mean \"paired\"?)") != std::string::npos);
  CHECK(error_of("\"algorithm.learning_rate\" = { logspace = [0, 1], count = 3 }\n").find("finite and positive") != std::string::npos);
  CHECK(error_of("\"algorithm.learning_rate\" = { logspace = [1e-3, 1], cuont = 3 }\n").find("did you mean \"count\"") != std::string::npos);
  CHECK(error_of("\"algorithm.learning_rate\" = { logspace = [1e-3, 1], count = 1 }\n").find("sweep.algorithm.learning_rate.count: must be an integer in [2, 10000]") != std::string::npos);
  // A key that only some kinds have: the point that lacks it is named.
  CHECK_THROWS_WITH(sweep_of("\"compression.kind\" = [\"top-k\", \"none\"]\n", {"compression.ratio=0.5"}),
                    Catch::Contains("compression.ratio: unknown key in [compression]") &&
                        Catch::EndsWith("(in the sweep point compression.kind=\"none\")"));
  CHECK(error_of("\"topology.kind\" = [\"ring\"]\n\"topology.kind\" = [\"torus\"]\n").rfind("s.toml:7:", 0) == 0);  // TOML: defined twice
  CHECK(error_of("\"nodes\" = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\nrepeat = 10000\n").find("more than 100000 points") != std::string::npos);
}

TEST_CASE("parse_scenario checks a sweep table too") {
  CHECK_THROWS_WITH(parse_scenario(kBase + "[sweep]\n\"compression.ratio\" = [2.0]\n", "s.toml", {}, test_schema()),
                    Catch::Contains("s.toml:6:24: compression.ratio: must be in [0, 1]"));
  CHECK_THROWS_WITH(parse_scenario(kBase, "s.toml", {"sweep.repeat=2"}, test_schema()),
                    Catch::Contains("the sweep table cannot be overridden"));
  CHECK_NOTHROW(parse_scenario(kBase + "[sweep]\n\"compression.ratio\" = [0.5]\n", "s.toml", {}, test_schema()));
}

TEST_CASE("Shards partition the points: every index in exactly one shard") {
  for (std::size_t count = 1; count <= 5; ++count)
    for (std::size_t ranks = 1; ranks <= 3; ++ranks) {
      std::map<std::size_t, int> seen;
      for (std::size_t k = 0; k < count; ++k)
        for (std::size_t r = 0; r < ranks; ++r) {
          const Shard shard = Shard{k, count}.within(r, ranks);
          for (std::size_t i = 0; i < 40; ++i)
            if (shard.contains(i)) {
              ++seen[i];
              CHECK(i % count == k);  // a rank takes part of its shard
            }
        }
      CHECK(seen.size() == 40);
      for (const auto& [index, times] : seen) CHECK(times == 1);
    }
  const Shard shard = parse_shard("2/5");
  CHECK(shard.index == 2);
  CHECK(shard.count == 5);
  for (const char* bad : {"5/5", "1", "a/2", "1/0", "-1/3", "1/2x", "/2"})
    CHECK_THROWS_WITH(parse_shard(bad), Catch::Contains("expected k/N"));
}

}  // namespace dlsim

namespace dlsim {

TEST_CASE("A section may be swept as whole tables, each replacing the file's section") {
  // The base sets compression.kind = "top-k"; the second point's table has no ratio, so
  // it gets the default of its own kind, not a leftover of the file's section.
  const Sweep sweep = sweep_of("compression = [{ kind = \"top-k\", ratio = 0.5 }, { kind = \"none\" }]\n");
  REQUIRE(sweep.points().size() == 2);
  CHECK(sweep.points()[0].parameters[0].literal == "{kind = \"top-k\", ratio = 0.5}");
  const Scenario first = sweep.scenario(sweep.points()[0]);
  CHECK(first.text("compression.kind") == "top-k");
  CHECK(first.real("compression.ratio") == 0.5);
  const Scenario second = sweep.scenario(sweep.points()[1]);
  CHECK(second.text("compression.kind") == "none");
  CHECK_FALSE(second.has("compression.ratio"));
  // Plain values for a section are still refused, and a bad key inside a table is named.
  CHECK_THROWS_WITH(sweep_of("compression = [\"top-k\"]\n"), Catch::Contains("is a section"));
  CHECK_THROWS_WITH(sweep_of("compression = [{ kind = \"top-k\", ration = 0.5 }]\n"),
                    Catch::Contains("compression.ration") && Catch::Contains("did you mean"));
}

}  // namespace dlsim
