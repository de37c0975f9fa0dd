// `dlsim sweep` end to end: --list, bad input, shards and --merge, and the
// kill-and-resume property: a sweep killed (SIGKILL) at any moment and
// resumed gives the same runs.csv as an uninterrupted one.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;

const std::string kDlsim = DLSIM_BINARY_DIR "/src/cli/dlsim";
const fs::path kRoot = fs::path(DLSIM_BINARY_DIR) / "tests/scenario/sweep_cli";

// Eight short points (tens of milliseconds each).
const char* const kScenario = R"(name = "sweep-test"
seed = 3
nodes = 8

[topology]
kind = "ring"

[data]
source = "synthetic-logistic"
samples = 4000
test_samples = 200
features = 10

[algorithm]
kind = "d-psgd"
learning_rate = 0.2
batch_size = 16

[stop]
rounds = 1000

[metrics]
every_rounds = 100

[sweep]
"topology.kind" = ["ring", "complete"]
"algorithm.learning_rate" = { logspace = [0.05, 0.5], count = 2 }
repeat = 2
)";

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// CTest runs each test case in its own process, in parallel: each has its own folder.
fs::path kWork;

void use_folder(const std::string& name) {
  kWork = kRoot / name;
  fs::remove_all(kWork);
  fs::create_directories(kWork);
}

fs::path scenario_file() {
  const fs::path path = kWork / "sweep.toml";
  std::ofstream(path) << kScenario;
  return path;
}

// Starts dlsim with `arguments`, stdout and stderr into `log`.
pid_t start(const std::vector<std::string>& arguments, const fs::path& log) {
  std::vector<std::string> all = {kDlsim};
  all.insert(all.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& argument : all) argv.push_back(argument.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int error = posix_spawn(&pid, kDlsim.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(error == 0);
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

int run(const std::vector<std::string>& arguments, const fs::path& log = kWork / "dlsim.log") {
  return wait_for(start(arguments, log));
}

std::size_t finished_points(const fs::path& out) {
  std::size_t count = 0;
  if (fs::is_directory(out))
    for (const fs::directory_entry& entry : fs::directory_iterator(out)) count += fs::exists(entry.path() / "summary.json");
  return count;
}

// runs.csv without its last column (wall_seconds, the one host-dependent figure).
std::string without_wall_time(const std::string& csv) {
  std::istringstream in(csv);
  std::string out, line;
  while (std::getline(in, line)) out += line.substr(0, line.rfind(',')) + "\n";
  return out;
}

// The uninterrupted sweep.
std::string reference_runs() {
  const fs::path out = kWork / "reference";
  if (!fs::exists(out / "runs.csv"))
    REQUIRE(run({"sweep", scenario_file().string(), "--out", out.string(), "--jobs", "2", "--quiet"}) == 0);
  return read(out / "runs.csv");
}

}  // namespace

TEST_CASE("dlsim sweep runs every point and writes runs.csv", "[sweep-cli]") {
  use_folder("runs");
  const std::string runs = reference_runs();
  INFO(runs);
  CHECK(runs.rfind("id,index,repetition,seed,topology.kind,algorithm.learning_rate,status,message,", 0) == 0);
  std::istringstream lines(runs);
  std::string line;
  std::getline(lines, line);
  std::size_t rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    CHECK(line.find(",completed,") != std::string::npos);
  }
  CHECK(rows == 8);
  // Repetition 0 of a paired sweep runs with the scenario's seed.
  CHECK(runs.find(",0,0,3,ring,0.05,") != std::string::npos);
}

TEST_CASE("dlsim sweep --list prints every point and its id and bad input exits with status 2", "[sweep-cli]") {
  use_folder("list");
  const fs::path scenario = scenario_file();
  REQUIRE(run({"sweep", scenario.string(), "--list", "--out", (kWork / "listed").string()}, kWork / "list.log") == 0);
  const std::string list = read(kWork / "list.log");
  CHECK(list.find("8 points = 2 x 2 combinations x 2 repetitions (seeds paired)") != std::string::npos);
  CHECK(list.find("\"complete\"") != std::string::npos);
  CHECK(!fs::exists(kWork / "listed"));  // --list runs nothing

  CHECK(run({"sweep", scenario.string(), "--list", "--set", "algorithm.learning_rat=0.1"}) == 2);
  CHECK(run({"sweep", scenario.string(), "--shard", "2/2", "--list"}) == 2);
  CHECK(read(kWork / "dlsim.log").find("--shard 2/2: expected k/N") != std::string::npos);
  CHECK(run({"sweep"}) == 2);

  const fs::path bad = kWork / "bad.toml";
  std::ofstream(bad) << "[sweep]\n\"topology.knd\" = [\"ring\"]\n";
  CHECK(run({"sweep", bad.string(), "--out", (kWork / "bad").string()}) == 2);
  CHECK(read(kWork / "dlsim.log") ==
        "dlsim: error: " + bad.string() +
            ":2:1: sweep.topology.knd: unknown key path \"topology.knd\" (did you mean \"topology.kind\"?)\n");
  CHECK(!fs::exists(kWork / "bad"));  // nothing half-written
}

TEST_CASE("Shards run disjoint points and --merge assembles the same runs.csv", "[sweep-cli]") {
  use_folder("shards");
  const fs::path scenario = scenario_file();
  const fs::path shared = kWork / "shards-shared";
  const fs::path apart = kWork / "shards-apart";
  fs::remove_all(shared);
  fs::remove_all(apart);
  for (const char* shard : {"0/3", "1/3", "2/3"}) {
    REQUIRE(run({"sweep", scenario.string(), "--out", shared.string(), "--shard", shard, "--quiet"}) == 0);
    // As if copied back from three machines.
    const fs::path own = apart / (std::string("shard-") + shard[0]);
    REQUIRE(run({"sweep", scenario.string(), "--out", own.string(), "--shard", shard, "--quiet"}) == 0);
    CHECK(finished_points(own) == (shard[0] == '2' ? 2u : 3u));
  }
  CHECK(!fs::exists(shared / "runs.csv"));
  REQUIRE(run({"sweep", "--merge", shared.string(), "--quiet"}) == 0);
  CHECK(without_wall_time(read(shared / "runs.csv")) == without_wall_time(reference_runs()));
  REQUIRE(run({"sweep", "--merge", apart.string(), "--quiet"}) == 0);
  CHECK(without_wall_time(read(apart / "runs.csv")) == without_wall_time(reference_runs()));

  // A merge before every shard is done says so, and marks the rest missing.
  fs::remove_all(apart / "shard-1");
  REQUIRE(run({"sweep", "--merge", apart.string()}) == 0);
  CHECK(read(kWork / "dlsim.log").find("3 of 8 points have no result yet") != std::string::npos);
  CHECK(read(apart / "runs.csv").find(",missing,") != std::string::npos);
}

TEST_CASE("A sweep killed at any moment and resumed gives the same runs.csv", "[sweep-cli]") {
  use_folder("killed");
  const fs::path scenario = scenario_file();
  const fs::path out = kWork / "killed";
  fs::remove_all(out);
  const std::vector<std::string> arguments = {"sweep", scenario.string(), "--out", out.string(), "--jobs", "2",
                                              "--resume", "--quiet"};
  // Kill it very early, then after 1, 3 and 5 points (or when it ends by itself).
  for (const std::size_t points : {0u, 1u, 3u, 5u}) {
    const pid_t pid = start(arguments, kWork / "killed.log");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    if (points == 0) std::this_thread::sleep_for(std::chrono::milliseconds(30));
    while (points > 0 && finished_points(out) < points && std::chrono::steady_clock::now() < deadline &&
           waitpid(pid, nullptr, WNOHANG) == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    // (Unless it finished first, on a very loaded machine.)
    if (WIFSIGNALED(status)) CHECK(!fs::exists(out / "runs.csv"));
  }
  // What is done is not run again: its summary keeps its inode (a rewrite renames a new file in).
  std::map<std::string, ino_t> done;
  for (const fs::directory_entry& entry : fs::directory_iterator(out)) {
    struct stat info {};
    if (stat((entry.path() / "summary.json").c_str(), &info) == 0) done[entry.path().filename()] = info.st_ino;
  }
  CHECK(done.size() >= 5);
  REQUIRE(run(arguments) == 0);
  for (const auto& [id, inode] : done) {
    struct stat info {};
    REQUIRE(stat((out / id / "summary.json").c_str(), &info) == 0);
    CHECK(info.st_ino == inode);
  }
  CHECK(without_wall_time(read(out / "runs.csv")) == without_wall_time(reference_runs()));
  CHECK(finished_points(out) == 8);
}

TEST_CASE("Points that fail or diverge are recorded and the sweep goes on", "[sweep-cli]") {
  use_folder("failing");
  const fs::path scenario = kWork / "failing.toml";
  std::ofstream(scenario) << R"(nodes = 8
[data]
samples = 500
features = 5
[stop]
rounds = 30
[sweep]
"algorithm.learning_rate" = [0.1, 1e300]
)";
  const fs::path out = kWork / "out";
  REQUIRE(run({"sweep", scenario.string(), "--out", out.string(), "--jobs", "1"}) == 0);
  CHECK(read(kWork / "dlsim.log").find("2 points: 1 completed, 1 diverged") != std::string::npos);
  const std::string runs = read(out / "runs.csv");
  INFO(runs);
  CHECK(runs.find(",0.1,completed,") != std::string::npos);
  CHECK(runs.find(",1e+300,diverged,the loss and the consensus distance are not finite") != std::string::npos);
  // --resume reruns what failed and keeps what diverged.
  fs::path completed;
  for (const fs::directory_entry& entry : fs::directory_iterator(out))
    if (entry.path().filename().string().rfind("0.1-", 0) == 0) completed = entry.path();
  REQUIRE(!completed.empty());
  std::string summary = read(completed / "summary.json");
  summary.replace(summary.find("\"status\": \"completed\""), 21, "\"status\": \"failed\"");
  std::ofstream(completed / "summary.json") << summary;
  REQUIRE(run({"sweep", scenario.string(), "--out", out.string(), "--jobs", "1", "--resume"}) == 0);
  CHECK(read(kWork / "dlsim.log").find("2 points: 1 completed, 1 done before (--resume)") != std::string::npos);
}

TEST_CASE("A sweep checks every point as dlsim run would before running any", "[sweep-cli]") {
  use_folder("checked");
  const fs::path scenario = kWork / "checked.toml";
  std::ofstream(scenario) << R"(nodes = 8
[data]
samples = 500
features = 5
[stop]
rounds = 30
[sweep]
"data.source" = ["synthetic-logistic", "libsvm"]
"data.path" = ["", "missing.svm"]
zip = [["data.source", "data.path"]]
)";
  CHECK(run({"sweep", scenario.string(), "--out", (kWork / "out").string(), "--jobs", "1"}) == 2);
  const std::string log = read(kWork / "dlsim.log");
  CHECK(log.rfind("dlsim: error: " + scenario.string() + ":9:20: data.path: missing.svm: cannot open", 0) == 0);
  CHECK(log.find("(in the sweep point data.source=\"libsvm\", data.path=\"missing.svm\")") != std::string::npos);
  CHECK(!fs::exists(kWork / "out"));  // nothing run, nothing written
}

TEST_CASE("A resumed sweep reruns a point whose metrics.csv does not match its summary", "[sweep-cli]") {
  use_folder("damaged");
  const fs::path scenario = scenario_file();
  const fs::path out = kWork / "damaged";
  const std::vector<std::string> arguments = {"sweep", scenario.string(), "--out", out.string(), "--jobs", "2",
                                              "--resume", "--quiet"};
  REQUIRE(run(arguments) == 0);
  std::vector<fs::path> points;
  for (const fs::directory_entry& entry : fs::directory_iterator(out))
    if (entry.is_directory()) points.push_back(entry.path());
  std::sort(points.begin(), points.end());
  REQUIRE(points.size() == 8);
  const std::string metrics = read(points[0] / "metrics.csv");
  const std::size_t last_row = metrics.rfind('\n', metrics.size() - 2) + 1;
  // Cut in the last row; its last line lost; empty; only the header; another point's table.
  std::ofstream(points[0] / "metrics.csv") << metrics.substr(0, metrics.size() - 5);
  std::ofstream(points[1] / "metrics.csv") << metrics.substr(0, last_row);
  std::ofstream(points[2] / "metrics.csv") << "";
  std::ofstream(points[3] / "metrics.csv") << metrics.substr(0, metrics.find('\n') + 1);
  std::ofstream(points[4] / "metrics.csv") << read(points[5] / "metrics.csv");
  fs::remove(points[6] / "metrics.csv");
  REQUIRE(run({"sweep", scenario.string(), "--out", out.string(), "--jobs", "2", "--resume"}) == 0);
  CHECK(read(kWork / "dlsim.log").find("8 points: 6 completed, 2 done before (--resume)") != std::string::npos);
  for (const fs::path& point : points) CHECK(read(point / "metrics.csv") != "");
  CHECK(read(points[0] / "metrics.csv") == metrics);
  CHECK(without_wall_time(read(out / "runs.csv")) == without_wall_time(reference_runs()));
}

TEST_CASE("A second sweep into a folder in use is refused, naming the first", "[sweep-cli]") {
  use_folder("locked");
  const fs::path scenario = scenario_file();
  const fs::path out = kWork / "locked";
  // A long first sweep: many rounds per point, one point at a time.
  const pid_t first = start({"sweep", scenario.string(), "--out", out.string(), "--jobs", "1", "--quiet", "--set",
                             "stop.rounds=100000000"},
                            kWork / "first.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(out / "sweep.json") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(fs::exists(out / "sweep.json"));
  CHECK(read(out / "sweep.lock").rfind("pid " + std::to_string(first) + " on ", 0) == 0);
  // Another sweep, a shard, the same sweep resumed: all refused, nothing of theirs written.
  for (const std::vector<std::string>& second :
       {std::vector<std::string>{"--set", "stop.rounds=10"}, std::vector<std::string>{"--shard", "1/2"},
        std::vector<std::string>{"--resume", "--set", "stop.rounds=100000000"}}) {
    std::vector<std::string> arguments = {"sweep", scenario.string(), "--out", out.string(), "--quiet"};
    arguments.insert(arguments.end(), second.begin(), second.end());
    CHECK(run(arguments) == 2);
    const std::string log = read(kWork / "dlsim.log");
    INFO(log);
    CHECK(log.rfind("dlsim: error: " + out.string() + ": in use by another sweep (pid " + std::to_string(first) +
                        " on ",
                    0) == 0);
    CHECK(log.find("wait for it to end or give another --out") != std::string::npos);
  }
  kill(first, SIGKILL);
  wait_for(first);
  // The kernel drops a killed sweep's lock: the folder is free again.
  CHECK(run({"sweep", scenario.string(), "--out", out.string(), "--quiet", "--resume", "--set", "stop.rounds=10"}) == 0);
  CHECK(!fs::exists(out / "sweep.lock"));  // removed at the end
}

TEST_CASE("Shards of one sweep share a folder, shards of another are refused", "[sweep-cli]") {
  use_folder("shared");
  const fs::path scenario = scenario_file();
  const fs::path out = kWork / "shared";
  const pid_t first = start({"sweep", scenario.string(), "--out", out.string(), "--jobs", "1", "--quiet", "--shard",
                             "0/2", "--set", "stop.rounds=100000000"},
                            kWork / "first.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(out / "sweep.json") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(fs::exists(out / "sweep.json"));
  // The same shard twice, a whole sweep and a shard of another plan: refused.
  CHECK(run({"sweep", scenario.string(), "--out", out.string(), "--quiet", "--shard", "0/2", "--set",
             "stop.rounds=100000000"}) == 2);
  CHECK(read(kWork / "dlsim.log").find("in use by another sweep (pid " + std::to_string(first)) != std::string::npos);
  CHECK(run({"sweep", scenario.string(), "--out", out.string(), "--quiet", "--set", "stop.rounds=100000000"}) == 2);
  CHECK(read(kWork / "dlsim.log").find("--shard 0/2") != std::string::npos);
  CHECK(run({"sweep", scenario.string(), "--out", out.string(), "--quiet", "--shard", "1/2", "--set",
             "stop.rounds=10"}) == 2);
  CHECK(read(kWork / "dlsim.log").find("a shard of another plan") != std::string::npos);
  // The other shard of the same sweep runs beside it.
  const pid_t second = start({"sweep", scenario.string(), "--out", out.string(), "--jobs", "1", "--quiet", "--shard",
                              "1/2", "--set", "stop.rounds=100000000"},
                             kWork / "second.log");
  // The lock file exists a moment before its holder has written who it is
  // (a reader then says "a sweep that is starting"): wait for both lines.
  const auto lock_written = [&] {
    return fs::exists(out / "sweep.lock.1-of-2") && read(out / "sweep.lock.1-of-2").find("\nplan ") != std::string::npos;
  };
  while (!lock_written() && std::chrono::steady_clock::now() < deadline && waitpid(second, nullptr, WNOHANG) == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(read(out / "sweep.lock.1-of-2").rfind("pid " + std::to_string(second) + " on ", 0) == 0);
  kill(second, SIGKILL);
  wait_for(second);
  kill(first, SIGKILL);
  wait_for(first);
}

TEST_CASE("Stalled points are recorded as such and --resume keeps them", "[sweep-cli]") {
  use_folder("stalling");
  const fs::path scenario = kWork / "stalling.toml";
  std::ofstream(scenario) << R"(nodes = 8
[data]
samples = 500
features = 5
[stop]
rounds = 30
[faults]
crash_time = "5ms"
[sweep]
"faults.crash_fraction" = [0.0, 0.25]
)";
  REQUIRE(run({"sweep", scenario.string(), "--out", (kWork / "out").string(), "--jobs", "1"}) == 0);
  CHECK(read(kWork / "dlsim.log").find("2 points: 1 completed, 1 stalled") != std::string::npos);
  const std::string runs = read(kWork / "out/runs.csv");
  INFO(runs);
  CHECK(runs.find(",0.25,stalled,no node can make progress any more at t = ") != std::string::npos);
  // A stall is what the same scenario and seed give again: --resume keeps it.
  REQUIRE(run({"sweep", scenario.string(), "--out", (kWork / "out").string(), "--jobs", "1", "--resume"}) == 0);
  CHECK(read(kWork / "dlsim.log").find("2 points: 0 completed, 2 done before (--resume)") != std::string::npos);
}
