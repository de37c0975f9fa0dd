// The `dlsim topo` command end to end: exit statuses and the JSON keys.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace {

const std::string kDlsim = DLSIM_BINARY_DIR "/src/cli/dlsim";
// One output file per process: CTest runs the test cases in parallel processes.
const std::string kOutput = DLSIM_BINARY_DIR "/tests/topologies/topo_cli_test." + std::to_string(getpid()) + ".out";

// Runs dlsim with `arguments`, stdout and stderr to kOutput; returns the exit status.
int run(const std::string& arguments) {
  const std::string command = kDlsim + " " + arguments + " >" + kOutput + " 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string output() {
  std::ifstream in(kOutput);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("dlsim topo reports a ring, as a table and as JSON") {
  REQUIRE(run("topo ring --nodes 8") == 0);
  CHECK(output().find("spectral_gap_signed") != std::string::npos);
  REQUIRE(run("topo ring --nodes 8 --json") == 0);
  const std::string json = output();
  for (const char* key : {"\"spectral_gap\"", "\"spectral_gap_signed\"", "\"lambda_2\"", "\"lambda_min\"",
                          "\"nodes\"", "\"edges\"", "\"degree_min\"", "\"degree_mean\"", "\"degree_max\"",
                          "\"diameter\"", "\"connected\""}) {
    INFO(key);
    CHECK(json.find(key) != std::string::npos);
  }
  CHECK(run("topo --file " DLSIM_SOURCE_DIR "/topologies/graphs/social_network.edges") == 0);
  CHECK(output().find("max 14") != std::string::npos);
}

TEST_CASE("dlsim topo: bad input exits with status 2 and one line naming the problem") {
  CHECK(run("topo ring --nodes 2") == 2);
  CHECK(output().find("ring: needs at least 3 nodes") != std::string::npos);
  CHECK(run("topo hypercube --nodes 12") == 2);
  CHECK(run("topo erdos-renyi --nodes 10 --param p=1.5") == 2);
  CHECK(run("topo random-regular --nodes 9 --param d=3") == 2);
  CHECK(run("topo rign --nodes 9") == 2);
  CHECK(output().find("did you mean 'ring'") != std::string::npos);
  CHECK(run("topo star --nodes 9 --weights uniform") == 2);
  CHECK(run("topo --file /nonexistent.edges") == 2);
  CHECK(run("topo") == 2);
}

TEST_CASE("dlsim topo on a digraph: the SLEM, what each node keeps and sends, the file's shares checked") {
  // Directed ring of 8, shares 1/2: slem = cos(pi / 8) = 0.923879532511.
  REQUIRE(run("topo directed-ring --nodes 8") == 0);
  CHECK(output().find("slem                 0.923879532511") != std::string::npos);
  CHECK(output().find("node 7               keeps 0.5, sends to 0 (0.5)") != std::string::npos);
  REQUIRE(run("topo directed-exponential --nodes 16 --json") == 0);
  const std::string json = output();
  const std::size_t slem_at = json.find("\"slem\": ");
  REQUIRE(slem_at != std::string::npos);
  CHECK(std::stod(json.substr(slem_at + 8)) == Approx(0.6).margin(1e-12));  // the circulant's (1+1+1+1-1)/5
  const std::string path = DLSIM_BINARY_DIR "/tests/topologies/topo_cli_test." + std::to_string(getpid()) + ".edges";
  std::ofstream(path) << "0 1 0.25\n1 2 0.5\n2 0 0.5\n0 2 0.25\n";
  REQUIRE(run("topo --file " + path + " --directed --weights file") == 0);
  CHECK(output().find("node 0               keeps 0.5, sends to 1 (0.25), 2 (0.25)") != std::string::npos);
  CHECK(output().find("doubly stochastic no") != std::string::npos);
  std::ofstream(path) << "0 1 0.75\n1 2 0.5\n2 0 0.5\n0 2 0.5\n";
  CHECK(run("topo --file " + path + " --directed --weights file") == 2);
  CHECK(output().find("column 0 of W does not sum to 1") != std::string::npos);
  CHECK(run("topo directed-ring --nodes 8 --weights metropolis-choco") == 2);
  CHECK(run("topo ring --nodes 8 --directed") == 2);
  std::remove(path.c_str());
}
