#include "topologies/spectral.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "topologies/generators.hpp"

using namespace dlsim;

namespace {

constexpr double kPi = std::numbers::pi;

SpectralReport dense(const Graph& g, MixingRule rule = MixingRule::metropolis) {
  SpectralOptions options;
  options.method = SpectralMethod::dense;
  return analyze_spectrum(mixing_matrix(g, rule), options);
}

SpectralReport lanczos(const Graph& g, MixingRule rule = MixingRule::metropolis, int restarts = 40) {
  SpectralOptions options;
  options.method = SpectralMethod::lanczos;
  options.lanczos_restarts = restarts;
  return analyze_spectrum(mixing_matrix(g, rule), options);
}

}  // namespace

TEST_CASE("ring with Metropolis weights: closed-form spectrum") {
  // Every weight is 1/3, so W = (I + A)/3 is circulant with eigenvalues
  // 1/3 + 2/3 cos(2 pi k / n). lambda_2 = 1/3 + 2/3 cos(2 pi / n); lambda_min is
  // -1/3 for even n and 1/3 - 2/3 cos(pi / n) in [-1/3, -1/5] for odd n >= 5.
  // For n >= 5, lambda_2 > 1/3 >= |lambda_min|, so both gaps equal
  // 1 - lambda_2 = 2/3 (1 - cos(2 pi / n)) = 4/3 sin^2(pi / n)
  // (the sine form avoids the cancellation in 1 - cos).
  for (std::size_t n : {8, 9, 25, 64}) {
    INFO("n = " << n);
    const SpectralReport report = dense(ring_graph(n));
    const double gap = 4.0 / 3.0 * std::pow(std::sin(kPi / static_cast<double>(n)), 2);
    CHECK(report.spectral_gap == Approx(gap).epsilon(1e-12));
    CHECK(report.spectral_gap_signed == Approx(gap).epsilon(1e-12));
    CHECK(report.lambda_2 == Approx(1.0 / 3 + 2.0 / 3 * std::cos(2 * kPi / static_cast<double>(n))).margin(1e-14));
    const double lambda_min = n % 2 == 0 ? -1.0 / 3 : 1.0 / 3 - 2.0 / 3 * std::cos(kPi / static_cast<double>(n));
    CHECK(report.lambda_min == Approx(lambda_min).margin(1e-14));
    CHECK(report.connected);
  }
}

TEST_CASE("complete graph: W = 11^T/n, gap 1") {
  const SpectralReport report = dense(complete_graph(10));
  CHECK(report.spectral_gap == Approx(1.0).margin(1e-14));
  CHECK(report.lambda_2 == Approx(0.0).margin(1e-14));
}

TEST_CASE("hypercube: eigenvalues (1 + k - 2j)/(k + 1)") {
  // Metropolis weights 1/(k+1) on a k-cube: W = (I + A)/(k+1) and the cube's
  // adjacency eigenvalues are k - 2j, so lambda_2 = (k-1)/(k+1), lambda_min =
  // (1-k)/(k+1) and spectral_gap = 2/(k+1).
  for (std::size_t k : {2, 4, 6}) {
    const SpectralReport report = dense(hypercube_graph(std::size_t{1} << k));
    const double kk = static_cast<double>(k);
    CHECK(report.lambda_2 == Approx((kk - 1) / (kk + 1)).margin(1e-13));
    CHECK(report.lambda_min == Approx((1 - kk) / (kk + 1)).margin(1e-13));
    CHECK(report.spectral_gap == Approx(2 / (kk + 1)).epsilon(1e-12));
  }
}

TEST_CASE("2-D torus: eigenvalues (1 + 2 cos(2 pi a/r) + 2 cos(2 pi b/c))/5") {
  // 4-regular, Metropolis weight 1/5: W = (I + A)/5, A = the Kronecker sum of two cycles.
  for (auto [rows, cols] : {std::pair{4, 6}, std::pair{5, 7}, std::pair{3, 8}}) {
    std::vector<double> eigenvalues;
    for (int a = 0; a < rows; ++a) {
      for (int b = 0; b < cols; ++b) {
        eigenvalues.push_back((1 + 2 * std::cos(2 * kPi * a / rows) + 2 * std::cos(2 * kPi * b / cols)) / 5);
      }
    }
    std::sort(eigenvalues.begin(), eigenvalues.end());
    const SpectralReport report = dense(torus_graph(rows, cols));
    INFO(rows << " x " << cols);
    CHECK(report.lambda_2 == Approx(eigenvalues[eigenvalues.size() - 2]).margin(1e-13));
    CHECK(report.lambda_min == Approx(eigenvalues[0]).margin(1e-13));
    CHECK(report.spectral_gap ==
          Approx(1 - std::max(eigenvalues[eigenvalues.size() - 2], -eigenvalues[0])).margin(1e-13));
  }
}

TEST_CASE("star: lambda_2 = 1 - 1/n, lambda_min = 0") {
  // Metropolis weight 1/n on every spoke: vectors on the leaves summing to 0 are
  // eigenvectors with eigenvalue 1 - 1/n; the trace leaves 0 for the last one.
  const SpectralReport report = dense(star_graph(12));
  CHECK(report.lambda_2 == Approx(1 - 1.0 / 12).margin(1e-14));
  CHECK(report.lambda_min == Approx(0.0).margin(1e-14));
  CHECK(report.spectral_gap == Approx(1.0 / 12).epsilon(1e-12));
}

TEST_CASE("lazy weights halve the gap and remove negative eigenvalues") {
  const SpectralReport plain = dense(ring_graph(25));
  const SpectralReport lazy = dense(ring_graph(25), MixingRule::lazy_metropolis);
  CHECK(lazy.spectral_gap_signed == Approx(plain.spectral_gap_signed / 2).epsilon(1e-10));
  CHECK(lazy.spectral_gap == lazy.spectral_gap_signed);
  CHECK(lazy.lambda_min >= 0.0);
}

TEST_CASE("bipartite graphs with zero self-weights have lambda_min = -1") {
  // metropolis-choco on a ring is A/2: eigenvalues cos(2 pi k / n).
  const SpectralReport even = dense(ring_graph(10), MixingRule::metropolis_choco);
  CHECK(even.lambda_min == -1.0);
  CHECK(even.spectral_gap == 0.0);
  CHECK(even.spectral_gap_signed > 0.0);
  // Odd ring: lambda_min = -cos(pi/n), larger in magnitude than cos(2 pi / n), so
  // spectral_gap = 1 - cos(pi / n) = 2 sin^2(pi / (2n)).
  const SpectralReport odd = dense(ring_graph(9), MixingRule::metropolis_choco);
  CHECK(odd.spectral_gap == Approx(2 * std::pow(std::sin(kPi / 18), 2)).epsilon(1e-12));
}

TEST_CASE("disconnected graphs: lambda_2 = 1, gaps 0, said in the notes") {
  const std::vector<EdgePair> two_triangles = {{0, 1}, {1, 2}, {2, 0}, {3, 4}, {4, 5}, {5, 3}};
  const Graph g = graph_from_edges(6, two_triangles);
  for (const SpectralReport& report : {dense(g), lanczos(g)}) {
    CHECK_FALSE(report.connected);
    CHECK(report.components == 2);
    CHECK(report.lambda_2 == 1.0);
    CHECK(report.spectral_gap == 0.0);
    CHECK(report.spectral_gap_signed == 0.0);
    bool said = false;
    for (const auto& note : report.notes) said = said || note.find("disconnected") != std::string::npos;
    CHECK(said);
  }
}

TEST_CASE("social network spectrum is analysed") {
  const SpectralReport report = dense(social_network_graph());
  CHECK(report.connected);
  CHECK(report.spectral_gap > 0.0);
  CHECK(report.spectral_gap < 1.0);
  // The choco weights on this bipartite graph leave zero self-weights only at
  // nodes of maximal degree among their neighbours, not everywhere: gap > 0.
  CHECK(dense(social_network_graph(), MixingRule::metropolis_choco).spectral_gap >= 0.0);
}

TEST_CASE("dense and Lanczos agree to 1e-8 on graphs of a few hundred nodes") {
  const std::vector<std::pair<const char*, Graph>> graphs = {
      {"random 8-regular", random_regular_graph(400, 8, 3)},
      {"erdos-renyi", erdos_renyi_graph(300, 0.03, 4, true)},
      {"barabasi-albert", barabasi_albert_graph(300, 2, 5)},
      {"torus", torus_graph(15, 20)},
  };
  for (const auto& [name, graph] : graphs) {
    INFO(name);
    const SpectralReport a = dense(graph);
    const SpectralReport b = lanczos(graph);
    CHECK(b.method == "lanczos");
    CHECK(std::abs(a.lambda_2 - b.lambda_2) < 1e-8);
    CHECK(std::abs(a.lambda_min - b.lambda_min) < 1e-8);
    CHECK(std::abs(a.spectral_gap - b.spectral_gap) < 1e-8);
    CHECK(std::abs(a.spectral_gap_signed - b.spectral_gap_signed) < 1e-8);
  }
}

TEST_CASE("shift-invert Lanczos: slow-mixing rings to full relative precision") {
  // One restart is too few for plain Lanczos on a 300-node ring, so lambda_2
  // comes from the grounded-Laplacian shift-invert. Its gap 4/3 sin^2(pi/n) is
  // matched relatively, not just absolutely.
  const std::size_t n = 300;
  const double gap = 4.0 / 3.0 * std::pow(std::sin(kPi / n), 2);
  const SpectralReport report = lanczos(ring_graph(n), MixingRule::metropolis, 1);
  CHECK(report.spectral_gap_signed == Approx(gap).epsilon(1e-8));
  CHECK(report.spectral_gap == Approx(gap).epsilon(1e-8));
  CHECK(report.lambda_min == Approx(-1.0 / 3).margin(1e-3));
  // Odd ring with A/2: lambda_min = -cos(pi/n) sets the gap; found by
  // shift-invert on I + W. spectral_gap = 2 sin^2(pi / (2n)).
  const std::size_t odd = 301;
  const SpectralReport choco = lanczos(ring_graph(odd), MixingRule::metropolis_choco, 1);
  CHECK(choco.spectral_gap == Approx(2 * std::pow(std::sin(kPi / (2 * odd)), 2)).epsilon(1e-8));
  CHECK(choco.spectral_gap_signed == Approx(2 * std::pow(std::sin(kPi / odd), 2)).epsilon(1e-8));
}
