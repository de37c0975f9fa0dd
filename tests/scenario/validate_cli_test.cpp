// `dlsim validate` and `dlsim run` end to end on input that only building the
// experiment can find wrong: validate refuses what run refuses, a folder is
// not a scenario file, and --quiet prints nothing.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace {

namespace fs = std::filesystem;

const std::string kDlsim = DLSIM_BINARY_DIR "/src/cli/dlsim";
// One folder per process: CTest runs the test cases in parallel processes.
const fs::path kWork = fs::path(DLSIM_BINARY_DIR) / "tests/scenario/validate_cli" / std::to_string(getpid());

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs dlsim with `arguments` (shell words) in kWork; stdout to out.txt, stderr to err.txt.
int run(const std::string& arguments) {
  fs::create_directories(kWork);
  const std::string command = "cd " + kWork.string() + " && " + kDlsim + " " + arguments + " >out.txt 2>err.txt";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string err() { return read(kWork / "err.txt"); }

fs::path write(const std::string& name, const std::string& text) {
  fs::create_directories(kWork);
  std::ofstream(kWork / name) << text;
  return kWork / name;
}

}  // namespace

TEST_CASE("dlsim validate refuses what dlsim run refuses, with the same message") {
  const fs::path one_node = write("one_node.toml", "name = \"one\"\nnodes = 1\n");
  const fs::path no_graph = write("no_graph.toml", "[topology]\nkind = \"file\"\nfile = \"/no/such.edges\"\n");
  const fs::path no_data = write("no_data.toml", "[data]\nsource = \"csv\"\npath = \"/no/such.csv\"\n");
  for (const fs::path& file : {one_node, no_graph, no_data}) {
    INFO(file.string());
    CHECK(run("run " + file.string() + " --quiet --out refused") == 2);
    const std::string run_error = err();
    CHECK(run("validate " + file.string()) == 2);
    CHECK(err() == run_error);
    CHECK(read(kWork / "out.txt").empty());  // no resolved scenario printed
    CHECK(!fs::exists(kWork / "refused"));
  }
  CHECK_THAT(read(kWork / "err.txt"), Catch::Contains("no_data.toml:3:8: data.path:"));
  CHECK(run("validate " + one_node.string()) == 2);
  CHECK(err() == "dlsim: error: " + one_node.string() +
                     ": topology.kind: ring: needs at least 3 nodes, got 1 (topology.kind = 'ring' is the default)\n");
  // And every point of a [sweep], which run and sweep would build.
  const fs::path sweep = write("sweep.toml",
                               "nodes = 4\n[stop]\nrounds = 5\n[sweep]\n\"nodes\" = [4, 1]\n");
  CHECK(run("validate " + sweep.string()) == 2);
  CHECK_THAT(err(), Catch::Contains("sweep.toml") && Catch::Contains("(in the sweep point nodes=1)"));
  CHECK(run("validate " + sweep.string() + " --set stop.rounds=6") == 2);
  const fs::path good = write("good.toml", "nodes = 4\n[stop]\nrounds = 5\n[sweep]\n\"nodes\" = [4, 5]\n");
  CHECK(run("validate " + good.string()) == 0);
  CHECK_THAT(read(kWork / "out.txt"), Catch::Contains("nodes = 4"));
}

TEST_CASE("a folder given as the scenario file is bad input in run, sweep and validate") {
  const fs::path folder = kWork / "a_folder";
  fs::create_directories(folder);
  for (const char* command : {"run --out from_folder", "sweep --out from_folder", "validate"}) {
    INFO(command);
    CHECK(run(std::string(command) + " " + folder.string()) == 2);
    CHECK(err() == "dlsim: error: " + folder.string() + ": is a folder, not a scenario file\n");
    CHECK(!fs::exists(kWork / "from_folder"));
  }
}

TEST_CASE("a name that leads out of results/ is refused and nothing is written") {
  const fs::path dotdot = write("dotdot.toml", "name = \"..\"\n[stop]\nrounds = 5\n");
  fs::create_directories(kWork / "results");
  CHECK(run("run " + dotdot.string() + " --quiet") == 2);
  CHECK_THAT(err(), Catch::Contains("dotdot.toml:1:8: name: \"..\" is not a folder name"));
  CHECK(!fs::exists(kWork / "metrics.csv"));
  CHECK(run("run " + dotdot.string() + " --quiet --set name=../../x") == 2);
  CHECK(run("sweep " + dotdot.string() + " --quiet") == 2);
}

TEST_CASE("a value with a newline is one line of error, escaped") {
  CHECK(run("validate " DLSIM_SOURCE_DIR "/scenarios/quickstart.toml --set \"$(printf 'topology.kind=ri\\nng\\001')\"") == 2);
  const std::string error = err();
  CHECK_THAT(error, Catch::Contains("--set topology.kind=ri\\nng\\x01: control character in the value"));
  CHECK(error.find('\n') == error.size() - 1);
}

TEST_CASE("Under --quiet nothing is printed, whatever --threads asks of the machine") {
  // More threads than cores: TBB would warn that it cuts the request.
  const unsigned threads = std::min(1024u, 2 * std::max(1u, std::thread::hardware_concurrency()));
  CHECK(run("run " DLSIM_SOURCE_DIR "/scenarios/quickstart.toml --quiet --out quiet --set stop.rounds=20 --threads " +
            std::to_string(threads)) == 0);
  CHECK(err().empty());
  CHECK(read(kWork / "out.txt").empty());
}
