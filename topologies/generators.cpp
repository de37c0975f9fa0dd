// Topology generators and the kinds table.
#include "topologies/generators.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>
#include <random>

#include "topologies/errors.hpp"

namespace dlsim {
namespace {

// --- Random numbers -------------------------------------------------------
// std::mt19937_64's sequence is fixed by the standard; the conversions below
// are ours so that a seed means the same graph on every standard library.

// Uniform on [0, bound) without bias: Lemire's multiply-and-reject ("Fast
// random integer generation in an interval", ACM TOMACS 2019).
std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound) {
  unsigned __int128 product = static_cast<unsigned __int128>(rng()) * bound;
  auto low = static_cast<std::uint64_t>(product);
  if (low < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      product = static_cast<unsigned __int128>(rng()) * bound;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64);
}

// Uniform on [0, 1) with 53 random bits.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// --- Validation helpers ---------------------------------------------------

[[noreturn]] void fail(std::string_view kind, const std::string& what) {
  throw TopologyError(fmt::format("{}: {}", kind, what));
}

void require_nodes(std::string_view kind, std::size_t n, std::size_t at_least) {
  if (n < at_least) fail(kind, fmt::format("needs at least {} nodes, got {}", at_least, n));
  // Node ids are 32-bit in edge lists; 2^31 nodes is far beyond what fits anyway.
  if (n > (std::size_t{1} << 31)) fail(kind, fmt::format("{} nodes is more than 2^31", n));
}

EdgePair edge(std::size_t u, std::size_t v) {
  return {static_cast<std::uint32_t>(u), static_cast<std::uint32_t>(v)};
}

// Sorted, normalised (u < v), de-duplicated: the canonical form for generators
// whose construction can name an edge twice (exponential graph, small rings).
std::vector<EdgePair> canonical(std::vector<EdgePair> edges) {
  for (auto& [u, v] : edges) {
    if (u > v) std::swap(u, v);
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  return edges;
}

bool is_power_of_two(std::size_t n) { return n != 0 && (n & (n - 1)) == 0; }

}  // namespace

// --- Deterministic structures ---------------------------------------------

Graph ring_graph(std::size_t n) {
  require_nodes("ring", n, 3);
  std::vector<EdgePair> edges;
  for (std::size_t i = 0; i < n; ++i) edges.push_back(edge(i, (i + 1) % n));
  return graph_from_edges(n, edges, "ring");
}

Graph path_graph(std::size_t n) {
  require_nodes("path", n, 2);
  std::vector<EdgePair> edges;
  for (std::size_t i = 0; i + 1 < n; ++i) edges.push_back(edge(i, i + 1));
  return graph_from_edges(n, edges, "path");
}

Graph torus_graph(std::size_t rows, std::size_t cols) {
  // A side of 2 would link the same pair twice (up and down wrap to one node).
  if (rows < 3 || cols < 3) {
    fail("torus", fmt::format("rows and cols must be at least 3, got {} x {}", rows, cols));
  }
  require_nodes("torus", rows * cols, 9);
  std::vector<EdgePair> edges;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t node = r * cols + c;
      edges.push_back(edge(node, r * cols + (c + 1) % cols));
      edges.push_back(edge(node, ((r + 1) % rows) * cols + c));
    }
  }
  return graph_from_edges(rows * cols, edges, "torus");
}

Graph grid_graph(std::size_t rows, std::size_t cols) {
  if (rows < 1 || cols < 1) fail("grid", fmt::format("rows and cols must be at least 1, got {} x {}", rows, cols));
  require_nodes("grid", rows * cols, 2);
  std::vector<EdgePair> edges;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t node = r * cols + c;
      if (c + 1 < cols) edges.push_back(edge(node, node + 1));
      if (r + 1 < rows) edges.push_back(edge(node, node + cols));
    }
  }
  return graph_from_edges(rows * cols, edges, "grid");
}

Graph complete_graph(std::size_t n) {
  require_nodes("complete", n, 2);
  if (n > 20000) fail("complete", fmt::format("{} nodes would make {} edges; at most 20000 nodes", n, n * (n - 1) / 2));
  std::vector<EdgePair> edges;
  edges.reserve(n * (n - 1) / 2);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) edges.push_back(edge(i, j));
  }
  return graph_from_edges(n, edges, "complete");
}

Graph star_graph(std::size_t n) {
  require_nodes("star", n, 2);
  std::vector<EdgePair> edges;
  for (std::size_t i = 1; i < n; ++i) edges.push_back(edge(0, i));
  return graph_from_edges(n, edges, "star");
}

Graph hypercube_graph(std::size_t n) {
  require_nodes("hypercube", n, 2);
  if (!is_power_of_two(n)) fail("hypercube", fmt::format("needs a power of two nodes, got {}", n));
  std::vector<EdgePair> edges;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t bit = 1; bit < n; bit <<= 1) {
      if ((i & bit) == 0) edges.push_back(edge(i, i | bit));
    }
  }
  return graph_from_edges(n, edges, "hypercube");
}

Graph exponential_graph(std::size_t n) {
  require_nodes("exponential", n, 2);
  std::vector<EdgePair> edges;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t hop = 1; hop < n; hop <<= 1) {
      // i - 2^k is (i - 2^k) + 2^k's partner; listing i + 2^k for every i covers both.
      edges.push_back(edge(i, (i + hop) % n));
    }
  }
  return graph_from_edges(n, canonical(std::move(edges)), "exponential");
}

Graph dumbbell_graph(std::size_t n) {
  require_nodes("dumbbell", n, 4);
  const std::size_t half = n / 2;
  std::vector<EdgePair> edges;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t clique_end = i < half ? half : n;
    for (std::size_t j = i + 1; j < clique_end; ++j) edges.push_back(edge(i, j));
  }
  edges.push_back(edge(half - 1, half));
  return graph_from_edges(n, edges, "dumbbell");
}

std::size_t one_peer_exponential_period(std::size_t n) {
  return n <= 1 ? 1 : static_cast<std::size_t>(std::bit_width(n - 1));
}

Graph one_peer_exponential_graph(std::size_t n, std::uint64_t round) {
  require_nodes("one-peer-exponential", n, 2);
  const std::size_t hop = std::size_t{1} << (round % one_peer_exponential_period(n));
  std::vector<EdgePair> edges;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t peer = i ^ hop;
    if (i < peer && peer < n) edges.push_back(edge(i, peer));
  }
  return graph_from_edges(n, edges, "one-peer-exponential");
}

Graph one_peer_exponential_union(std::size_t n) {
  require_nodes("one-peer-exponential", n, 2);
  std::vector<EdgePair> edges;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t hop = 1; hop < n; hop <<= 1) {
      const std::size_t peer = i ^ hop;
      if (i < peer && peer < n) edges.push_back(edge(i, peer));
    }
  }
  return graph_from_edges(n, edges, "one-peer-exponential");
}

// --- Random graphs --------------------------------------------------------

std::vector<std::uint32_t> random_regular_pairing(std::size_t n, std::size_t d, std::uint64_t seed) {
  constexpr std::string_view kind = "random-regular";
  require_nodes(kind, n, 2);
  if (d < 1 || d >= n) fail(kind, fmt::format("degree d={} must be in 1..{} for {} nodes", d, n - 1, n));
  if ((n * d) % 2 != 0) fail(kind, fmt::format("n d must be even, got n={} d={}", n, d));
  std::mt19937_64 rng(seed);
  // neighbours[u * d + k] for k < filled[u]: a flat table keeps 10^6 x 8 compact.
  std::vector<std::uint32_t> neighbours(n * d), filled(n), stubs(n * d);
  auto linked = [&](std::uint32_t u, std::uint32_t v) {
    const std::uint32_t* row = &neighbours[std::size_t{u} * d];
    return std::find(row, row + filled[u], v) != row + filled[u];
  };
  auto suitable = [&](std::uint32_t u, std::uint32_t v) { return u != v && !linked(u, v); };
  for (int attempt = 0; attempt < 1000; ++attempt) {
    std::fill(filled.begin(), filled.end(), 0);
    for (std::size_t s = 0; s < n * d; ++s) stubs[s] = static_cast<std::uint32_t>(s / d);
    std::size_t remaining = n * d;
    bool dead_end = false;
    while (remaining > 0 && !dead_end) {
      std::size_t a = 0, b = 0;
      bool found = false;
      // Random tries first; only a nearly finished pairing needs the full scan.
      for (int tries = 0; tries < 64 && !found; ++tries) {
        a = uniform_below(rng, remaining);
        b = uniform_below(rng, remaining);
        found = a != b && suitable(stubs[a], stubs[b]);
      }
      if (!found) {
        std::vector<std::pair<std::size_t, std::size_t>> candidates;
        for (std::size_t i = 0; i < remaining && candidates.size() < 4096; ++i) {
          for (std::size_t j = i + 1; j < remaining; ++j) {
            if (suitable(stubs[i], stubs[j])) candidates.emplace_back(i, j);
          }
        }
        if (candidates.empty()) {
          dead_end = true;
          break;
        }
        std::tie(a, b) = candidates[uniform_below(rng, candidates.size())];
      }
      const std::uint32_t u = stubs[a], v = stubs[b];
      neighbours[std::size_t{u} * d + filled[u]++] = v;
      neighbours[std::size_t{v} * d + filled[v]++] = u;
      // Remove both stubs by moving the last ones in; the larger index goes first
      // so that moving into it cannot move the other chosen stub.
      if (a < b) std::swap(a, b);
      stubs[a] = stubs[--remaining];
      stubs[b] = stubs[--remaining];
    }
    if (dead_end) continue;
    return neighbours;
  }
  fail(kind, fmt::format("no pairing found in 1000 attempts (n={}, d={})", n, d));
}

Graph random_regular_graph(std::size_t n, std::size_t d, std::uint64_t seed) {
  const std::vector<std::uint32_t> neighbours = random_regular_pairing(n, d, seed);
  std::vector<EdgePair> edges;
  edges.reserve(n * d / 2);
  for (std::size_t u = 0; u < n; ++u) {
    for (std::size_t k = 0; k < d; ++k) {
      const std::uint32_t v = neighbours[u * d + k];
      if (u < v) edges.push_back(edge(u, v));
    }
  }
  return graph_from_edges(n, edges, "random-regular");
}

namespace {

Graph draw_erdos_renyi(std::size_t n, double p, std::mt19937_64& rng) {
  std::vector<EdgePair> edges;
  if (p >= 1.0) return complete_graph(n);
  if (p > 0.0) {
    // Batagelj-Brandes: skip a geometric number of candidate pairs (v, w), w < v.
    const double log_q = std::log1p(-p);
    // A skip of n^2 or more pairs passes every pair left. It is checked in
    // double before the cast: for tiny p the skip exceeds any int64 (even inf).
    const double pairs = static_cast<double>(n) * static_cast<double>(n);
    std::size_t v = 1;
    std::int64_t w = -1;
    while (v < n) {
      const double r = uniform01(rng);
      const double skip = std::floor(std::log1p(-r) / log_q);
      if (!(skip < pairs)) break;
      w += 1 + static_cast<std::int64_t>(skip);
      while (v < n && w >= static_cast<std::int64_t>(v)) {
        w -= static_cast<std::int64_t>(v);
        ++v;
      }
      if (v < n) edges.push_back(edge(static_cast<std::size_t>(w), v));
    }
  }
  return graph_from_edges(n, edges, "erdos-renyi");
}

}  // namespace

Graph erdos_renyi_graph(std::size_t n, double p, std::uint64_t seed, bool connected) {
  require_nodes("erdos-renyi", n, 1);
  if (!(p >= 0.0 && p <= 1.0)) fail("erdos-renyi", fmt::format("p={} must be in [0, 1]", p));
  if (p == 1.0 && n > 20000) fail("erdos-renyi", "p=1 on more than 20000 nodes");
  std::mt19937_64 rng(seed);
  for (int draw = 0; draw < 1000; ++draw) {
    Graph graph = draw_erdos_renyi(n, p, rng);
    if (!connected || connected_components(graph).count == 1) return graph;
  }
  fail("erdos-renyi", fmt::format("no connected G({}, {}) in 1000 draws; raise p (ln(n)/n = {:.3g})",
                                  n, p, std::log(static_cast<double>(n)) / static_cast<double>(n)));
}

Graph watts_strogatz_graph(std::size_t n, std::size_t k, double beta, std::uint64_t seed) {
  constexpr std::string_view kind = "watts-strogatz";
  require_nodes(kind, n, 3);
  if (k < 2 || k % 2 != 0 || k >= n) fail(kind, fmt::format("k={} must be even with 2 <= k < n={}", k, n));
  if (!(beta >= 0.0 && beta <= 1.0)) fail(kind, fmt::format("beta={} must be in [0, 1]", beta));
  std::mt19937_64 rng(seed);
  std::vector<std::vector<std::uint32_t>> adjacent(n);
  auto linked = [&](std::size_t u, std::size_t v) {
    return std::find(adjacent[u].begin(), adjacent[u].end(), v) != adjacent[u].end();
  };
  auto unlink = [&](std::size_t u, std::size_t v) {
    auto& row = adjacent[u];
    row.erase(std::find(row.begin(), row.end(), v));
  };
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 1; j <= k / 2; ++j) {
      adjacent[i].push_back(static_cast<std::uint32_t>((i + j) % n));
      adjacent[(i + j) % n].push_back(static_cast<std::uint32_t>(i));
    }
  }
  // Watts and Strogatz's order: lap j = 1..k/2, then node i, as in the paper.
  for (std::size_t j = 1; j <= k / 2; ++j) {
    for (std::size_t i = 0; i < n; ++i) {
      if (uniform01(rng) >= beta) continue;
      const std::size_t old_peer = (i + j) % n;
      if (!linked(i, old_peer) || adjacent[i].size() >= n - 1) continue;
      std::size_t w = 0;
      do {
        w = uniform_below(rng, n);
      } while (w == i || linked(i, w));
      unlink(i, old_peer);
      unlink(old_peer, i);
      adjacent[i].push_back(static_cast<std::uint32_t>(w));
      adjacent[w].push_back(static_cast<std::uint32_t>(i));
    }
  }
  std::vector<EdgePair> edges;
  for (std::size_t u = 0; u < n; ++u) {
    std::sort(adjacent[u].begin(), adjacent[u].end());
    for (std::uint32_t v : adjacent[u]) {
      if (u < v) edges.push_back(edge(u, v));
    }
  }
  return graph_from_edges(n, edges, kind);
}

Graph barabasi_albert_graph(std::size_t n, std::size_t m, std::uint64_t seed) {
  constexpr std::string_view kind = "barabasi-albert";
  if (m < 1) fail(kind, fmt::format("m={} must be at least 1", m));
  require_nodes(kind, n, m + 1);
  std::mt19937_64 rng(seed);
  std::vector<EdgePair> edges;
  // Each node appears in `repeated` once per edge end: sampling it uniformly is
  // sampling proportionally to degree.
  std::vector<std::uint32_t> repeated;
  for (std::size_t i = 0; i <= m; ++i) {
    for (std::size_t j = i + 1; j <= m; ++j) {
      edges.push_back(edge(i, j));
      repeated.push_back(static_cast<std::uint32_t>(i));
      repeated.push_back(static_cast<std::uint32_t>(j));
    }
  }
  std::vector<std::uint32_t> targets;
  for (std::size_t v = m + 1; v < n; ++v) {
    targets.clear();
    while (targets.size() < m) {
      const std::uint32_t t = repeated[uniform_below(rng, repeated.size())];
      if (std::find(targets.begin(), targets.end(), t) == targets.end()) targets.push_back(t);
    }
    for (std::uint32_t t : targets) {
      edges.push_back(edge(t, v));
      repeated.push_back(t);
      repeated.push_back(static_cast<std::uint32_t>(v));
    }
  }
  return graph_from_edges(n, edges, kind);
}

Graph random_geometric_graph(std::size_t n, double radius, std::uint64_t seed, bool connected) {
  constexpr std::string_view kind = "random-geometric";
  require_nodes(kind, n, 1);
  if (!std::isfinite(radius)) fail(kind, "radius must be finite");
  if (radius <= 0.0) {
    radius = std::sqrt(2.0 * std::log(std::max<double>(2.0, static_cast<double>(n))) /
                       (std::numbers::pi * static_cast<double>(n)));
  }
  // Cells of side >= radius: a point's neighbours lie in its cell or the 8 around it.
  const auto cells = static_cast<std::size_t>(std::clamp(
      std::floor(1.0 / radius), 1.0, std::ceil(std::sqrt(static_cast<double>(n)))));
  std::mt19937_64 rng(seed);
  std::vector<double> x(n), y(n);
  std::vector<std::size_t> cell_start(cells * cells + 1), order(n);
  for (int draw = 0; draw < 1000; ++draw) {
    for (std::size_t i = 0; i < n; ++i) {
      x[i] = uniform01(rng);
      y[i] = uniform01(rng);
    }
    auto cell_of = [&](std::size_t i) {
      const auto cx = std::min(cells - 1, static_cast<std::size_t>(x[i] * static_cast<double>(cells)));
      const auto cy = std::min(cells - 1, static_cast<std::size_t>(y[i] * static_cast<double>(cells)));
      return cy * cells + cx;
    };
    // Counting sort of the points by cell.
    std::fill(cell_start.begin(), cell_start.end(), 0);
    for (std::size_t i = 0; i < n; ++i) ++cell_start[cell_of(i) + 1];
    for (std::size_t c = 0; c < cells * cells; ++c) cell_start[c + 1] += cell_start[c];
    std::vector<std::size_t> next(cell_start.begin(), cell_start.end() - 1);
    for (std::size_t i = 0; i < n; ++i) order[next[cell_of(i)]++] = i;

    std::vector<EdgePair> edges;
    const double r2 = radius * radius;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t c = cell_of(i), cx = c % cells, cy = c / cells;
      for (std::size_t ny = cy == 0 ? 0 : cy - 1; ny <= std::min(cells - 1, cy + 1); ++ny) {
        for (std::size_t nx = cx == 0 ? 0 : cx - 1; nx <= std::min(cells - 1, cx + 1); ++nx) {
          const std::size_t cell = ny * cells + nx;
          for (std::size_t s = cell_start[cell]; s < cell_start[cell + 1]; ++s) {
            const std::size_t j = order[s];
            const double dx = x[i] - x[j], dy = y[i] - y[j];
            if (i < j && dx * dx + dy * dy <= r2) edges.push_back(edge(i, j));
          }
        }
      }
    }
    std::sort(edges.begin(), edges.end());
    Graph graph = graph_from_edges(n, edges, kind);
    if (!connected || connected_components(graph).count == 1) return graph;
  }
  fail(kind, fmt::format("no connected graph in 1000 draws with radius {:.4g}; raise radius", radius));
}

// --- The kinds table ------------------------------------------------------

namespace {

std::size_t as_size(std::string_view kind, const ParamValues& values, std::string_view name) {
  const std::int64_t value = values.integer(name);
  if (value < 0) fail(kind, fmt::format("parameter {}={} must not be negative", name, value));
  return static_cast<std::size_t>(value);
}

std::size_t require_given_nodes(std::string_view kind, std::size_t nodes) {
  if (nodes == 0) fail(kind, "the number of nodes is required (--nodes N)");
  return nodes;
}

// rows x cols for torus and grid: both given, or derived from n (the most
// square factorisation, rows <= cols), and consistent with n when both are.
std::pair<std::size_t, std::size_t> shape(std::string_view kind, std::size_t nodes,
                                          const ParamValues& values, std::size_t min_side) {
  std::size_t rows = as_size(kind, values, "rows"), cols = as_size(kind, values, "cols");
  if (rows == 0 && cols == 0) {
    require_given_nodes(kind, nodes);
    rows = static_cast<std::size_t>(std::sqrt(static_cast<double>(nodes)));
    while (rows > 1 && nodes % rows != 0) --rows;
    cols = nodes / rows;
    if (rows < min_side) {
      fail(kind, fmt::format("{} nodes have no factorisation rows x cols with both >= {}; give "
                             "--param rows=R --param cols=C", nodes, min_side));
    }
  } else if (rows == 0 || cols == 0) {
    require_given_nodes(kind, nodes);
    const std::size_t known = rows == 0 ? cols : rows;
    if (nodes % known != 0) fail(kind, fmt::format("{} nodes are not a multiple of {}", nodes, known));
    (rows == 0 ? rows : cols) = nodes / known;
  }
  if (nodes != 0 && rows * cols != nodes) {
    fail(kind, fmt::format("rows x cols = {} x {} = {} but --nodes is {}", rows, cols, rows * cols, nodes));
  }
  return {rows, cols};
}

const ParamSpec kRows{"rows", ParamType::integer, "0", "rows (0: the most square factorisation of n)"};
const ParamSpec kCols{"cols", ParamType::integer, "0", "columns (0: n / rows)"};
const ParamSpec kConnected{"connected", ParamType::boolean, "false",
                           "draw again until the graph is connected (at most 1000 draws)"};

std::vector<TopologyKind> make_kinds() {
  std::vector<TopologyKind> kinds;
  auto simple = [&](std::string_view name, std::string_view summary, Graph (*build)(std::size_t)) {
    kinds.push_back({name, summary, {}, false, false, false,
                     [name, build](std::size_t n, const ParamValues&, std::uint64_t) {
                       return build(require_given_nodes(name, n));
                     }});
  };
  simple("ring", "cycle 0-1-...-(n-1)-0; n >= 3", ring_graph);
  simple("path", "path 0-1-...-(n-1); n >= 2", path_graph);
  kinds.push_back({"torus", "2-D torus rows x cols (wrap-around grid, 4-regular); sides >= 3",
                   {kRows, kCols}, false, false, true,
                   [](std::size_t n, const ParamValues& v, std::uint64_t) {
                     auto [rows, cols] = shape("torus", n, v, 3);
                     return torus_graph(rows, cols);
                   }});
  kinds.push_back({"grid", "2-D grid rows x cols without wrap-around", {kRows, kCols}, false, false,
                   true, [](std::size_t n, const ParamValues& v, std::uint64_t) {
                     auto [rows, cols] = shape("grid", n, v, 1);
                     return grid_graph(rows, cols);
                   }});
  simple("complete", "every pair linked; n >= 2 (at most 20000)", complete_graph);
  simple("star", "node 0 linked to every other node; n >= 2", star_graph);
  simple("hypercube", "i ~ i xor 2^b; n a power of two", hypercube_graph);
  simple("exponential", "static exponential graph: i ~ i +/- 2^k mod n (Ying et al. 2021)",
         exponential_graph);
  kinds.push_back(
      {"one-peer-exponential",
       "time-varying: in round t node i pairs with i xor 2^(t mod ceil(log2 n)); exact average "
       "after log2 n rounds when n is a power of two",
       {{"round", ParamType::integer, "-1",
         "the round whose graph to build (-1: the union of one period)"}},
       false, true, false,
       [](std::size_t n, const ParamValues& v, std::uint64_t) {
         require_given_nodes("one-peer-exponential", n);
         const std::int64_t round = v.integer("round");
         if (round < -1) fail("one-peer-exponential", fmt::format("round={} must be >= -1", round));
         return round == -1 ? one_peer_exponential_union(n)
                            : one_peer_exponential_graph(n, static_cast<std::uint64_t>(round));
       }});
  kinds.push_back({"random-regular", "uniform-ish random d-regular graph (Steger-Wormald); n d even",
                   {{"d", ParamType::integer, "4", "degree of every node, 1 <= d < n"}}, true,
                   false, false,
                   [](std::size_t n, const ParamValues& v, std::uint64_t seed) {
                     return random_regular_graph(require_given_nodes("random-regular", n),
                                                 as_size("random-regular", v, "d"), seed);
                   }});
  kinds.push_back({"erdos-renyi", "G(n, p): each pair linked independently with probability p",
                   {{"p", ParamType::real, "0.1", "edge probability, 0 <= p <= 1"}, kConnected},
                   true, false, false,
                   [](std::size_t n, const ParamValues& v, std::uint64_t seed) {
                     return erdos_renyi_graph(require_given_nodes("erdos-renyi", n), v.real("p"),
                                              seed, v.boolean("connected"));
                   }});
  kinds.push_back({"watts-strogatz", "small world: ring lattice with k neighbours, rewired with prob. beta",
                   {{"k", ParamType::integer, "4", "lattice degree, even, 2 <= k < n"},
                    {"beta", ParamType::real, "0.1", "rewiring probability, 0 <= beta <= 1"}},
                   true, false, false,
                   [](std::size_t n, const ParamValues& v, std::uint64_t seed) {
                     return watts_strogatz_graph(require_given_nodes("watts-strogatz", n),
                                                 as_size("watts-strogatz", v, "k"), v.real("beta"), seed);
                   }});
  kinds.push_back({"barabasi-albert", "preferential attachment: each new node links to m nodes",
                   {{"m", ParamType::integer, "2", "links per new node, 1 <= m < n"}}, true, false,
                   false,
                   [](std::size_t n, const ParamValues& v, std::uint64_t seed) {
                     return barabasi_albert_graph(require_given_nodes("barabasi-albert", n),
                                                  as_size("barabasi-albert", v, "m"), seed);
                   }});
  simple("dumbbell", "two cliques of n/2 nodes joined by one edge; n >= 4", dumbbell_graph);
  kinds.push_back({"social-network",
                   "the 32-node Davis southern women graph of the CHOCO-SGD experiments (n = 32)",
                   {}, false, false, true,
                   [](std::size_t n, const ParamValues&, std::uint64_t) {
                     if (n != 0 && n != 32) fail("social-network", fmt::format("has 32 nodes, not {}", n));
                     return social_network_graph();
                   }});
  kinds.push_back({"random-geometric", "n uniform points in the unit square, linked within radius",
                   {{"radius", ParamType::real, "0",
                     "link distance (0: sqrt(2 ln n / (pi n)), above the connectivity threshold)"},
                    kConnected},
                   true, false, false,
                   [](std::size_t n, const ParamValues& v, std::uint64_t seed) {
                     return random_geometric_graph(require_given_nodes("random-geometric", n),
                                                   v.real("radius"), seed, v.boolean("connected"));
                   }});
  auto directed = [&](std::string_view name, std::string_view summary, Digraph (*build)(std::size_t)) {
    TopologyKind kind{name, summary, {}, false, false, false,
                      [name, build](std::size_t n, const ParamValues&, std::uint64_t) {
                        return underlying_graph(build(require_given_nodes(name, n)));
                      }};
    kind.build_directed = [name, build](std::size_t n, const ParamValues&, std::uint64_t) {
      return build(require_given_nodes(name, n));
    };
    kinds.push_back(std::move(kind));
  };
  directed("directed-ring", "directed cycle i -> i + 1 mod n; column-stochastic W (push-sum, sgp); n >= 2",
           directed_ring_graph);
  directed("directed-exponential",
           "i -> i + 2^k mod n, k = 0..floor(log2(n - 1)) (SGP, Assran et al. 2019); column-stochastic W",
           directed_exponential_graph);
  return kinds;
}

}  // namespace

const std::vector<TopologyKind>& topology_kinds() {
  static const std::vector<TopologyKind> kinds = make_kinds();
  return kinds;
}

const TopologyKind& find_topology_kind(std::string_view name) {
  std::vector<std::string_view> names;
  for (const auto& kind : topology_kinds()) {
    if (kind.name == name) return kind;
    names.push_back(kind.name);
  }
  std::string message = fmt::format("unknown topology kind '{}'", name);
  if (auto near = nearest_match(name, names); !near.empty()) {
    message += fmt::format(" (did you mean '{}'?)", near);
  } else {
    message += " (see dlsim topo --help for the list)";
  }
  throw TopologyError(message);
}

Graph make_topology(std::string_view kind_name, std::size_t nodes, const ParamText& params,
                    std::uint64_t seed) {
  const TopologyKind& kind = find_topology_kind(kind_name);
  const ParamValues values = ParamValues::resolve_text(kind.name, kind.params, params);
  return kind.build(nodes, values, seed);
}

Digraph make_directed_topology(std::string_view kind_name, std::size_t nodes, const ParamText& params,
                               std::uint64_t seed) {
  const TopologyKind& kind = find_topology_kind(kind_name);
  if (!kind.directed()) throw TopologyError(fmt::format("{} is not a directed topology kind", kind.name));
  const ParamValues values = ParamValues::resolve_text(kind.name, kind.params, params);
  return kind.build_directed(nodes, values, seed);
}

}  // namespace dlsim
