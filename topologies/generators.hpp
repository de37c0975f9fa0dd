// Topology generators.
//
// Every generator validates its arguments and throws TopologyError with a
// message naming the generator, the parameter and the rule broken ("ring: needs
// at least 3 nodes, got 2"). Random generators take a seed and are
// deterministic: they draw from std::mt19937_64 (whose output the standard
// fixes) through our own integer and real conversions (the std::*_distribution
// outputs are implementation-defined), so a seed gives the same graph with any
// compiler. Node ids are 0..n-1; edges come out in a fixed order.
//
// The table `topology_kinds()` lists every kind with its declared parameters;
// `make_topology` builds one by name, which is what the CLI and scenario files
// use. The direct functions below are for code that knows what it wants.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "topologies/digraph.hpp"
#include "topologies/graph.hpp"
#include "topologies/params.hpp"

namespace dlsim {

// Deterministic structures. Costs O(n + m) unless noted.
Graph ring_graph(std::size_t n);                             // n >= 3
Graph path_graph(std::size_t n);                             // n >= 2
Graph torus_graph(std::size_t rows, std::size_t cols);       // rows, cols >= 3; wrap-around grid
Graph grid_graph(std::size_t rows, std::size_t cols);        // rows * cols >= 2; no wrap-around
Graph complete_graph(std::size_t n);                         // n >= 2; O(n^2)
Graph star_graph(std::size_t n);                             // n >= 2; node 0 is the hub
Graph hypercube_graph(std::size_t n);                        // n = 2^k >= 2; i ~ i xor 2^b
// Static exponential graph (Ying, Yuan, Chen, Hu, Pan, Yin, "Exponential graph
// is provably efficient for decentralized deep training", NeurIPS 2021), made
// undirected: i ~ (i +/- 2^k) mod n for every 2^k < n. n >= 2.
Graph exponential_graph(std::size_t n);
// Two cliques of floor(n/2) and ceil(n/2) nodes joined by the single edge
// (floor(n/2) - 1, floor(n/2)). n >= 4.
Graph dumbbell_graph(std::size_t n);
// The 32-node social network of the CHOCO-SGD experiments: the Davis southern
// women graph, women 0-17 and events 18-31, 89 edges (same as
// topologies/graphs/social_network.edges).
Graph social_network_graph();

// The time-varying one-peer exponential graph, symmetric form. With
// tau = ceil(log2 n) and k = round mod tau, node i's only peer in `round` is
// i xor 2^k = i +/- 2^k when that node exists (else i idles that round). Each
// round is a matching, so its W (mixing rule any of ours: all give 1/2) is
// symmetric and doubly stochastic, and for n = 2^tau the product of tau
// consecutive rounds is exactly 11^T / n (Ying et al. 2021, one-peer graph;
// their directed form i -> i + 2^k has the same property). n >= 2.
Graph one_peer_exponential_graph(std::size_t n, std::uint64_t round);
// The rounds in one period: ceil(log2 n).
std::size_t one_peer_exponential_period(std::size_t n);
// The union of the rounds of one period (the graph whose links are ever used).
Graph one_peer_exponential_union(std::size_t n);

// Random graphs. Deterministic for a given seed.
//
// Random d-regular graph by the Steger-Wormald pairing (Steger and Wormald,
// "Generating random regular graphs quickly", CPC 1999): stubs are paired at
// random among the suitable pairs, restarting on a dead end. Asymptotically
// uniform for d = o(n^{1/28}) and close to it in practice. 1 <= d < n, n d even.
// Expected O(n d) for small d.
Graph random_regular_graph(std::size_t n, std::size_t d, std::uint64_t seed);
// The pairing random_regular_graph builds its graph from: node u's
// neighbours are entries [u d, (u + 1) d), in the order they were paired.
std::vector<std::uint32_t> random_regular_pairing(std::size_t n, std::size_t d, std::uint64_t seed);
// Erdos-Renyi G(n, p) by geometric skipping (Batagelj and Brandes, "Efficient
// generation of large random networks", Phys. Rev. E 2005): O(n + m). With
// `connected`, draws again (from the same stream) until connected, at most
// 1000 draws. 0 <= p <= 1, n >= 1.
Graph erdos_renyi_graph(std::size_t n, double p, std::uint64_t seed, bool connected = false);
// Watts-Strogatz small world (Watts and Strogatz, Nature 1998): a ring lattice
// with k/2 neighbours per side, each lattice edge (i, i+j) rewired with
// probability beta to (i, w), w uniform among nodes not already linked to i.
// k even, 2 <= k < n, 0 <= beta <= 1. O(n k^2).
Graph watts_strogatz_graph(std::size_t n, std::size_t k, double beta, std::uint64_t seed);
// Barabasi-Albert preferential attachment (Barabasi and Albert, Science 1999),
// sampled in O(n m) with the repeated-node list of Batagelj and Brandes 2005:
// a clique on m + 1 nodes, then every new node links to m distinct nodes chosen
// with probability proportional to degree. m >= 1, n >= m + 1.
Graph barabasi_albert_graph(std::size_t n, std::size_t m, std::uint64_t seed);
// Random geometric graph (Penrose, "Random Geometric Graphs", 2003): n points
// uniform in the unit square, linked when at distance <= radius. radius <= 0
// means sqrt(2 ln n / (pi n)), twice the connectivity threshold's area. Cell
// bucketing: expected O(n + m). `connected` as for Erdos-Renyi.
Graph random_geometric_graph(std::size_t n, double radius, std::uint64_t seed,
                             bool connected = false);

// One row of the kinds table.
struct TopologyKind {
  std::string_view name;
  std::string_view summary;      // one line for --help
  std::vector<ParamSpec> params;
  bool random = false;           // uses the seed
  bool time_varying = false;     // a different graph per round
  bool fixed_size = false;       // the size comes from the kind or its parameters
  // Builds the graph; nodes == 0 means "not given".
  std::function<Graph(std::size_t nodes, const ParamValues&, std::uint64_t seed)> build;
  // Directed kinds only (null otherwise): the digraph, whose underlying
  // undirected graph `build` gives (see digraph.hpp).
  std::function<Digraph(std::size_t nodes, const ParamValues&, std::uint64_t seed)> build_directed;
  bool directed() const { return static_cast<bool>(build_directed); }
};

// Every kind, in the order the help lists them.
const std::vector<TopologyKind>& topology_kinds();
// The kind called `name`; TopologyError with a suggestion when there is none.
const TopologyKind& find_topology_kind(std::string_view name);
// Resolves `params` against the kind's table and builds the graph. nodes == 0
// means "not given" (allowed only for kinds whose size follows from their
// parameters, e.g. social-network or torus with rows and cols).
Graph make_topology(std::string_view kind, std::size_t nodes, const ParamText& params,
                    std::uint64_t seed);
// The same for a directed kind (TopologyError for an undirected one).
Digraph make_directed_topology(std::string_view kind, std::size_t nodes, const ParamText& params,
                               std::uint64_t seed);

}  // namespace dlsim
