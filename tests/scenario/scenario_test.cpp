// Scenario files: every key resolved, every kind of bad input one clear message.
#include "scenario/scenario.hpp"

#include <catch2/catch.hpp>

#include "scenario/experiment.hpp"

using namespace dlsim;
using Catch::Contains;

namespace {

Scenario parse(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return parse_scenario(text, "test.toml", overrides, scenario_schema());
}

std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    parse(text, overrides);
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("an empty scenario resolves every documented key to its default") {
  const Scenario scenario = parse("");
  for (const SectionSpec& section : scenario_schema().sections()) {
    if (section.name == "sweep") continue;
    // A section of another family's algorithms ([server] for federated ones) is left out.
    const bool applies = !section.excluded || section.excluded(scenario.resolved()).empty();
    for (const KeySpec& key : section.keys) {
      const std::string path = section.name.empty() ? key.name : section.name + "." + key.name;
      INFO(path);
      CHECK(scenario.has(path) == (applies && !key.default_value.empty()));
    }
  }
  CHECK(scenario.integer("nodes") == 16);
  CHECK(scenario.duration("network.latency") == kMillisecond);
  CHECK(scenario.rate_bps("network.bandwidth") == 1'000'000'000);
  CHECK(scenario.text("topology.kind") == "ring");
  CHECK(scenario.integers("model.hidden") == std::vector<std::int64_t>{128});
  // Kind-dependent keys come from the component's table: top-k's ratio.
  const Scenario topk = parse("[compression]\nkind = \"top-k\"\n");
  CHECK(topk.real("compression.ratio") == 0.01);
}

TEST_CASE("bad keys, types and values name the file, line, column and key path") {
  CHECK(error_of("nodes = 4\n[network]\nlatncy = \"1ms\"\n") ==
        "test.toml:3:1: network.latncy: unknown key in [network] (did you mean \"latency\"?)");
  CHECK(error_of("[netwrok]\nlatency = \"1ms\"\n") ==
        "test.toml:1:2: netwrok: unknown key in the top level (did you mean \"network\"?)");
  CHECK(error_of("nodes = \"16\"\n") == "test.toml:1:9: nodes: expected an integer, got the string \"16\"");
  CHECK(error_of("nodes = 0\n") == "test.toml:1:9: nodes: must be in [1, 4294967294], got 0");
  CHECK_THAT(error_of("[network]\nlatency = \"1 parsec\"\n"),
             Contains("test.toml:2:11: network.latency: bad duration \"1 parsec\""));
  CHECK(error_of("[network]\nloss = 1.5\n") == "test.toml:2:8: network.loss: must be in [0, 1], got 1.5");
  CHECK(error_of("[faults]\ncrash_fraction = -0.1\n") ==
        "test.toml:2:18: faults.crash_fraction: must be in [0, 1], got -0.1");
  CHECK(error_of("[network]\nbandwidth = \"-1Gbps\"\n") ==
        "test.toml:2:13: network.bandwidth: bad rate \"-1Gbps\": negative values are not allowed (expected a number and "
        "a unit: bps, kbps, Mbps, Gbps, Tbps, bit/s, kbit/s, Mbit/s, Gbit/s, Tbit/s, B/s, kB/s, MB/s, GB/s, KiB/s, "
        "MiB/s, GiB/s)");
  CHECK_THAT(error_of("[topology]\nkind = \"rign\"\n"),
             Contains("test.toml:2:8: topology.kind: \"rign\" is not one of") && Contains("did you mean \"ring\""));
  CHECK(error_of("[topology]\nkind = \"random-regular\"\ndd = 4\n") ==
        "test.toml:3:1: topology.dd: unknown key in [topology] (did you mean \"d\"?)");
  CHECK(error_of("network = 3\n") == "test.toml:1:11: network: must be a table ([network])");
  CHECK_THAT(error_of("nodes = 4\nnodes = 5\n"), Contains("test.toml:2:"));  // TOML syntax errors keep their place
  CHECK_THAT(error_of("[model]\nhidden = [64, \"x\"]\n"), Contains("model.hidden[1]: expected an integer"));
}

TEST_CASE("huge or deeply nested files are refused without crashing") {
  CHECK_THAT(error_of(std::string(kMaxScenarioBytes + 1, '#')), Contains("larger than"));
  std::string deep = "x = ";
  for (int i = 0; i < 2000; ++i) deep += "[";
  CHECK_THAT(error_of(deep), Contains("test.toml:1:"));
}

TEST_CASE("overrides (--set) change any key with the same checks") {
  const Scenario scenario = parse("[network]\nlatency = \"1ms\"\n",
                                  {"network.latency=5ms", "algorithm.learning_rate=0.05", "topology.kind=torus",
                                   "stop.rounds=7", "model.hidden=[32, 16]"});
  CHECK(scenario.duration("network.latency") == 5 * kMillisecond);
  CHECK(scenario.real("algorithm.learning_rate") == 0.05);
  CHECK(scenario.text("topology.kind") == "torus");
  CHECK(scenario.integer("stop.rounds") == 7);
  CHECK(scenario.integers("model.hidden") == std::vector<std::int64_t>{32, 16});
  CHECK(error_of("", {"network.latncy=5ms"}) ==
        "--set network.latncy=5ms: network.latncy: unknown key in [network] (did you mean \"latency\"?)");
  CHECK(error_of("", {"network.loss=2"}) == "--set network.loss=2: network.loss: must be in [0, 1], got 2");
  CHECK(error_of("", {"nodes"}) == "--set nodes: expected key.path=value");
  CHECK(error_of("nodes = 3", {"nodes.x=1"}) == "--set nodes.x=1: \"nodes\" is a value, not a section");
}

TEST_CASE("missing files and impossible experiments stop before the run, naming the key") {
  auto run_error = [](const std::string& text) -> std::string {
    try {
      const Scenario scenario = parse(text);
      run_scenario(scenario, RunOptions{std::string(DLSIM_BINARY_DIR) + "/scenario_test_out", 1, true});
    } catch (const ScenarioError& error) {
      return error.what();
    }
    return "no error";
  };
  CHECK_THAT(run_error("[topology]\nkind = \"file\"\nfile = \"/no/such/graph.edges\"\n"),
             Contains("test.toml:3:8: topology.file:") && Contains("/no/such/graph.edges"));
  CHECK_THAT(run_error("[data]\nsource = \"libsvm\"\npath = \"/no/such.svm\"\n"),
             Contains("test.toml:3:8: data.path:") && Contains("/no/such.svm"));
  CHECK_THAT(run_error("nodes = 4\n[topology]\nkind = \"erdos-renyi\"\np = 0.0\n"),
             Contains("topology.kind: the erdos-renyi graph is disconnected"));
  CHECK_THAT(run_error("[algorithm]\nkind = \"diging\"\n[compression]\nkind = \"top-k\"\n"), Contains("compression.kind:"));
  CHECK_THAT(run_error("[algorithm]\nkind = \"gossip\"\n"), Contains("set model.kind = \"consensus\""));
  CHECK_THAT(run_error("nodes = 10\n[data]\nsamples = 5\n"), Contains("data.partition: node 0 gets no samples (5 samples over 10 nodes)"));
}

TEST_CASE("the name is one folder name: results/<name> stays inside results/") {
  CHECK(parse("name = \"choco-ring_2.0\"\n").text("name") == "choco-ring_2.0");
  CHECK(error_of("name = \"..\"\n") == "test.toml:1:8: name: \"..\" is not a folder name: results go to results/<name>");
  CHECK(error_of("name = \".\"\n") == "test.toml:1:8: name: \".\" is not a folder name: results go to results/<name>");
  CHECK_THAT(error_of("name = \"../../x\"\n"), Contains("test.toml:1:8: name: \"../../x\" holds a '/'"));
  CHECK_THAT(error_of("name = 'a\\b'\n"), Contains("test.toml:1:8: name: \"a\\b\" holds a '/' or '\\'"));
  CHECK_THAT(error_of("name = \"\"\n"), Contains("test.toml:1:8: name: \"\" is empty"));
  CHECK_THAT(error_of("name = \"a\\u0000b\"\n"), Contains("name: \"a\\0b\" holds a control character"));
  CHECK_THAT(error_of("name = \"" + std::string(kMaxNameChars + 1, 'n') + "\"\n"), Contains("is longer than 128"));
  CHECK_THAT(error_of("", {"name=../x"}), Contains("--set name=../x: name: \"../x\" holds a '/'"));
}

TEST_CASE("values quoted in a message are escaped and cut: the message stays one line") {
  // A newline and a NUL in a value, from the file and from --set.
  const std::string newline = error_of("[topology]\nkind = \"ri\\nng\"\n");
  CHECK_THAT(newline, Contains("topology.kind: \"ri\\nng\" is not one of"));
  CHECK(newline.find('\n') == std::string::npos);
  const std::string nul = error_of("nodes = \"1\\u0000\\u0001\"\n");
  CHECK_THAT(nul, Contains("got the string \"1\\0\\x01\""));
  CHECK(nul.find('\0') == std::string::npos);
  const std::string override_error = error_of("", {"network.latency=5\nms"});
  CHECK_THAT(override_error, Contains("--set network.latency=5\\nms"));
  CHECK(override_error.find('\n') == std::string::npos);
  CHECK_THAT(error_of("[network]\nlatency = \"1\\nms\"\n"),
             Contains("network.latency: expected a duration such as \"1.5ms\", got \"1\\nms\""));
  // A long value is cut, its length said.
  const std::string long_error = error_of("[topology]\nkind = \"" + std::string(100000, 'r') + "\"\n");
  CHECK_THAT(long_error, Contains("... (100000 bytes)\" is not one of"));
  CHECK(long_error.size() < 600);
  CHECK(printable(std::string("a\tb\x7f", 4)) == "a\\tb\\x7f");
  CHECK(printable("abcdef", 3) == "abc... (6 bytes)");
}
