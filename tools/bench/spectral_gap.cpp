// Spectral gap of large sparse topologies: wall time and peak memory.
//
//   bench_spectral_gap                 every case below, each in its own process
//   bench_spectral_gap KIND N          one case: KIND is ring or regular8
//
// Each case builds the graph, its Metropolis W and runs analyze_spectrum in a
// forked child, so that the child's peak resident set (getrusage ru_maxrss) is
// that case's alone. For rings the result is compared with the closed form
// 1 - lambda_2 = 4/3 sin^2(pi / n).
#include <fmt/core.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <string>

#include "topologies/generators.hpp"
#include "topologies/mixing.hpp"
#include "topologies/spectral.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void run_case(const std::string& kind, std::size_t n) {
  using namespace dlsim;
  const auto start = Clock::now();
  const Graph graph = kind == "ring" ? ring_graph(n) : random_regular_graph(n, 8, 1);
  const double build = seconds_since(start);
  const auto start_w = Clock::now();
  const SparseMatrix w = mixing_matrix(graph, MixingRule::metropolis);
  const double mixing = seconds_since(start_w);
  const auto start_spectrum = Clock::now();
  const SpectralReport report = analyze_spectrum(w);
  const double spectrum = seconds_since(start_spectrum);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::string check = "-";
  if (kind == "ring") {
    const double exact = 4.0 / 3.0 * std::pow(std::sin(std::numbers::pi / static_cast<double>(n)), 2);
    check = fmt::format("closed form {:.6e}, rel. error {:.1e}", exact,
                        std::abs(report.spectral_gap - exact) / exact);
  }
  fmt::print("{:<9} {:>8} | graph {:6.2f} s | W {:5.2f} s | spectrum {:7.2f} s | peak {:6.0f} MiB | "
             "spectral_gap {:.6e} signed {:.6e} lambda_min {:.6f} | {} products | {}\n",
             kind, n, build, mixing, spectrum, static_cast<double>(usage.ru_maxrss) / 1024.0,
             report.spectral_gap, report.spectral_gap_signed, report.lambda_min,
             report.matrix_products, check);
  for (const auto& note : report.notes) fmt::print("          note: {}\n", note);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3) {
    run_case(argv[1], std::stoul(argv[2]));
    return 0;
  }
  for (const char* kind : {"ring", "regular8"}) {
    for (std::size_t n : {100'000, 1'000'000}) {
      std::fflush(stdout);
      const pid_t child = fork();
      if (child == 0) {
        run_case(kind, n);
        std::_Exit(0);
      }
      int status = 0;
      waitpid(child, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fmt::print("{} {}: failed\n", kind, n);
    }
  }
  return 0;
}
