// `dlsim topo`: build or read a topology, then report its graph facts, the
// checks of its mixing matrix and its spectrum, as a table or as JSON.
#include <fmt/core.h>
#include <fmt/os.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "topologies/digraph.hpp"
#include "topologies/errors.hpp"
#include "topologies/generators.hpp"
#include "topologies/graph_files.hpp"
#include "topologies/mixing.hpp"
#include "topologies/spectral.hpp"

namespace dlsim::cli {
namespace {

struct TopoOptions {
  std::string kind;
  std::string file;
  std::size_t nodes = 0;
  std::string weights = "metropolis";
  std::vector<std::string> params;
  std::uint64_t seed = 1;
  bool json = false;
  bool directed = false;  // --file read as a digraph
  std::string write;
  std::string method = "auto";
  std::size_t dense_limit = SpectralOptions{}.dense_limit;
};

// The --help footer, generated from the kinds and weights tables.
std::string topo_footer() {
  std::string text = "Kinds (--param NAME=VALUE sets a parameter):\n";
  for (const auto& kind : topology_kinds()) {
    text += fmt::format("  {:<22}{}{}\n", kind.name, kind.summary, kind.random ? " [random: --seed]" : "");
    for (const auto& param : kind.params) {
      text += fmt::format("      {:<10} {:<8} default {:<6} {}\n", param.name,
                          param_type_name(param.type), param.default_value, param.help);
    }
  }
  text += "\nWeights (--weights RULE; d_i = degree of node i, w_ii = 1 - sum of the row):\n";
  for (const auto& rule : mixing_rules()) text += fmt::format("  {:<22}{}\n", rule.name, rule.help);
  text += fmt::format("  {:<22}{}\n", "file", "w_ij = the edge's weight in --file (an arc's, with --directed)");
  text +=
      "Directed kinds and --file --directed: column-stochastic W, uniform over out-neighbours and\n"
      "self (or --weights file); reported: slem, W's second-largest eigenvalue modulus.\n";
  text +=
      "\nReported: spectral_gap = 1 - max(|lambda_2|, |lambda_min|) (CHOCO-SGD's delta),\n"
      "spectral_gap_signed = 1 - lambda_2, lambda_2 = second largest eigenvalue of W,\n"
      "lambda_min = smallest; nodes, edges, degree_min/mean/max, diameter, connected.\n"
      "Up to --dense-limit nodes all eigenvalues are computed densely; beyond, by Lanczos\n"
      "(with shift-invert for slowly mixing graphs). Large graphs get a double-sweep lower\n"
      "bound for the diameter, marked as such.";
  return text;
}

std::string yes_no(bool value) { return value ? "yes" : "no"; }

// Arcs listed one node per line up to this many nodes (the table) or arcs (JSON).
constexpr std::size_t kListedNodes = 32;
constexpr std::size_t kListedArcs = 1024;

// A directed kind or --file --directed: the digraph, its column-stochastic W
// (uniform over out-neighbours and self, or the file's arc weights) and SLEM.
void run_directed_topo(const TopoOptions& options, const ParamText& params) {
  if (options.weights != "file" && options.weights != "metropolis")
    throw std::invalid_argument(fmt::format(
        "--weights {}: a directed graph mixes uniformly over out-neighbours and self (the default) or by the "
        "file's arc weights (--weights file)", options.weights));
  const bool from_file = !options.file.empty();
  if (options.weights == "file" && !from_file)
    throw std::invalid_argument("--weights file: takes W from the arc weights of --file; a generator has none");
  if (from_file && !params.empty()) throw std::invalid_argument("topo: --param applies to generated kinds, not --file");
  const auto start = std::chrono::steady_clock::now();
  const Digraph digraph =
      from_file ? read_digraph_file(options.file) : make_directed_topology(options.kind, options.nodes, params, options.seed);
  const std::string source = from_file ? options.file : options.kind;
  if (from_file && options.nodes != 0 && options.nodes != digraph.nodes)
    throw std::invalid_argument(
        fmt::format("{}: has {} nodes but --nodes is {}", options.file, digraph.nodes, options.nodes));
  if (digraph.nodes < 2) throw std::invalid_argument(fmt::format("{}: needs at least 2 nodes", source));
  if (!options.write.empty())
    throw std::invalid_argument("--write: writes undirected graphs only; a directed one is its arc list already");
  if (digraph.nodes > options.dense_limit)
    throw std::invalid_argument(fmt::format("{}: {} nodes; a directed W's SLEM needs a dense eigen-solve (O(n^3)), "
                                            "done up to --dense-limit {} nodes", source, digraph.nodes,
                                            options.dense_limit));
  const bool file_weights = options.weights == "file";
  const SparseMatrix w = file_weights ? column_stochastic_from_arc_weights(digraph) : column_stochastic_mixing(digraph);
  const MixingCheck check = check_mixing_matrix(w);
  const StrongConnectivity strong = strong_connectivity(digraph);
  const DirectedSpectralReport report = analyze_directed_spectrum(w);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<std::size_t> out_degree(digraph.nodes, 0), in_degree(digraph.nodes, 0);
  std::size_t arcs = 0;
  for (const Arc& arc : digraph.arcs)
    if (arc.from != arc.to) {
      ++out_degree[arc.from];
      ++in_degree[arc.to];
      ++arcs;
    }
  auto degree_text = [](const std::vector<std::size_t>& degree) {
    const auto [low, high] = std::minmax_element(degree.begin(), degree.end());
    const double mean = static_cast<double>(std::accumulate(degree.begin(), degree.end(), std::size_t{0})) /
                        static_cast<double>(degree.size());
    return fmt::format("min {}, mean {:.4g}, max {}", *low, mean, *high);
  };
  const std::string weights_text = file_weights ? "file (W_ji = weight of arc i -> j, W_ii = the rest of column i)"
                                                : "uniform over out-neighbours and self (W_ji = 1 / (1 + out_i))";
  const std::string strong_text =
      strong.strongly_connected ? "yes" : fmt::format("NO (node {} cannot reach node {})", strong.from, strong.to);
  // W's column i: node i's own share and those it sends.
  auto shares_of = [&](std::size_t i) {
    std::vector<std::pair<std::size_t, double>> shares;
    for (SparseMatrix::InnerIterator it(w, static_cast<Eigen::Index>(i)); it; ++it)
      shares.emplace_back(static_cast<std::size_t>(it.row()), it.value());
    return shares;
  };
  if (options.json) {
    nlohmann::ordered_json out;
    out["topology"] = source;
    out["directed"] = true;
    out["weights"] = file_weights ? "file" : "uniform-out";
    out["nodes"] = digraph.nodes;
    out["arcs"] = arcs;
    out["strongly_connected"] = strong.strongly_connected;
    out["slem"] = report.slem;
    out["directed_spectral_gap"] = report.directed_spectral_gap;
    out["method"] = report.method;
    out["mixing_column_stochastic"] = check.max_col_sum_error <= 1e-12 && check.nonnegative;
    out["mixing_doubly_stochastic"] = check.doubly_stochastic;
    out["mixing_max_row_sum_error"] = check.max_row_sum_error;
    out["mixing_max_col_sum_error"] = check.max_col_sum_error;
    if (arcs <= kListedArcs) {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (std::size_t i = 0; i < digraph.nodes; ++i)
        for (auto [j, value] : shares_of(i)) list.push_back({i, j, value});
      out["w"] = list;  // [i, j, W_ji]: the share node i keeps (j = i) or sends to j
    }
    out["seconds"] = seconds;
    std::cout << out.dump(2) << '\n';
    return;
  }
  std::string text;
  auto row = [&](std::string_view key, const std::string& value) { text += fmt::format("{:<21}{}\n", key, value); };
  row("topology", source + " (directed)");
  row("weights", weights_text);
  row("nodes", fmt::format("{}", digraph.nodes));
  row("arcs", fmt::format("{}", arcs));
  row("out-degree", degree_text(out_degree));
  row("in-degree", degree_text(in_degree));
  row("strongly connected", strong_text);
  row("mixing matrix", fmt::format("column stochastic {}, doubly stochastic {}, non-negative {} (column-sum error "
                                   "{:.1e}, row-sum error {:.1e})",
                                   yes_no(check.max_col_sum_error <= 1e-12), yes_no(check.doubly_stochastic),
                                   yes_no(check.nonnegative), check.max_col_sum_error, check.max_row_sum_error));
  row("slem", fmt::format("{:.12g}   second-largest eigenvalue modulus of W (push-sum's rate)", report.slem));
  row("directed_gap", fmt::format("{:.6e}   1 - slem", report.directed_spectral_gap));
  row("method", fmt::format("{} ({:.3g} s)", report.method, seconds));
  if (digraph.nodes <= kListedNodes)
    for (std::size_t i = 0; i < digraph.nodes; ++i) {
      std::string line;
      double keeps = 0;
      for (auto [j, value] : shares_of(i)) {
        if (j == i) keeps = value;
        else line += fmt::format("{}{} ({:.4g})", line.empty() ? "" : ", ", j, value);
      }
      row(fmt::format("node {}", i), fmt::format("keeps {:.4g}, sends to {}", keeps, line.empty() ? "nobody" : line));
    }
  std::cout << text;
}

void run_topo(const TopoOptions& options) {
  if (options.kind.empty() == options.file.empty()) {
    throw std::invalid_argument("topo: give either a KIND or --file FILE (see dlsim topo --help)");
  }
  ParamText params;
  for (const auto& assignment : options.params) parse_param_assignment(assignment, params);
  if (options.directed && options.file.empty())
    throw std::invalid_argument("--directed: reads --file as a digraph; the directed kinds are directed-ring and "
                                "directed-exponential");
  if (options.directed || (options.file.empty() && find_topology_kind(options.kind).directed())) {
    run_directed_topo(options, params);
    return;
  }
  const bool file_weights = options.weights == "file";
  if (file_weights && options.file.empty())
    throw std::invalid_argument("--weights file: takes W from the edge weights of --file; a generator has none");
  const MixingRule rule = file_weights ? MixingRule::metropolis : parse_mixing_rule(options.weights);
  SpectralOptions spectral;
  if (options.method == "dense") {
    spectral.method = SpectralMethod::dense;
  } else if (options.method == "lanczos") {
    spectral.method = SpectralMethod::lanczos;
  } else if (options.method != "auto") {
    throw std::invalid_argument(fmt::format("--method {}: expected auto, dense or lanczos", options.method));
  }
  spectral.dense_limit = options.dense_limit;

  const auto start = std::chrono::steady_clock::now();
  Graph graph;
  std::string source;
  std::vector<std::string> topology_notes;
  if (!options.file.empty()) {
    if (!params.empty()) throw std::invalid_argument("topo: --param applies to generated kinds, not --file");
    graph = read_graph_file(options.file);
    if (options.nodes != 0 && options.nodes != boost::num_vertices(graph)) {
      throw std::invalid_argument(fmt::format("{}: has {} nodes but --nodes is {}", options.file,
                                              boost::num_vertices(graph), options.nodes));
    }
    source = options.file;
  } else {
    const TopologyKind& kind = find_topology_kind(options.kind);
    graph = make_topology(options.kind, options.nodes, params, options.seed);
    source = options.kind;
    if (kind.time_varying) {
      const std::size_t n = boost::num_vertices(graph);
      const std::size_t period = one_peer_exponential_period(n);
      const bool exact = (n & (n - 1)) == 0;
      topology_notes.push_back(fmt::format(
          "time-varying: a different matching every round, period {} rounds; shown: {}; the "
          "product of the W of one period {} 11^T/n",
          period, params.count("round") ? "the graph of round " + params.at("round") : "the union of one period",
          exact ? "is exactly" : "is not (n is not a power of two)"));
    }
  }
  if (!options.write.empty()) write_graph_file(options.write, graph);

  const GraphFacts facts = graph_facts(graph);
  if (facts.nodes < 2) throw std::invalid_argument(fmt::format("{}: needs at least 2 nodes", source));
  const SparseMatrix w = file_weights ? mixing_matrix_from_edge_weights(graph) : mixing_matrix(graph, rule);
  const MixingCheck check = check_mixing_matrix(w);
  const SpectralReport report = analyze_spectrum(w, spectral);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<std::string> notes = topology_notes;
  notes.insert(notes.end(), report.notes.begin(), report.notes.end());
  if (!facts.diameter_exact) {
    notes.push_back("diameter: double-sweep lower bound (exact BFS from every node is too costly at this size)");
  }

  if (options.json) {
    nlohmann::ordered_json out;
    out["topology"] = source;
    out["weights"] = file_weights ? std::string("file") : std::string(mixing_rule_name(rule));
    if (options.file.empty()) out["seed"] = options.seed;
    out["nodes"] = facts.nodes;
    out["edges"] = facts.edges;
    out["degree_min"] = facts.degree_min;
    out["degree_mean"] = facts.degree_mean;
    out["degree_max"] = facts.degree_max;
    out["connected"] = facts.connected;
    out["components"] = facts.components;
    out["diameter"] = facts.connected ? nlohmann::ordered_json(facts.diameter) : nlohmann::ordered_json();
    out["diameter_exact"] = facts.connected && facts.diameter_exact;
    out["spectral_gap"] = report.spectral_gap;
    out["spectral_gap_signed"] = report.spectral_gap_signed;
    out["lambda_2"] = report.lambda_2;
    out["lambda_min"] = report.lambda_min;
    out["method"] = report.method;
    out["mixing_symmetric"] = check.symmetric;
    out["mixing_doubly_stochastic"] = check.doubly_stochastic;
    out["mixing_nonnegative"] = check.nonnegative;
    out["mixing_max_row_sum_error"] = check.max_row_sum_error;
    out["mixing_max_col_sum_error"] = check.max_col_sum_error;
    out["mixing_max_asymmetry"] = check.max_asymmetry;
    out["notes"] = notes;
    out["seconds"] = seconds;
    std::cout << out.dump(2) << '\n';
    return;
  }

  std::string text;
  auto row = [&](std::string_view key, const std::string& value) { text += fmt::format("{:<21}{}\n", key, value); };
  row("topology", options.file.empty() && find_topology_kind(options.kind).random
                      ? fmt::format("{} (seed {})", source, options.seed) : source);
  row("weights", file_weights ? std::string("file (w_ij = the edge's weight)") : std::string(mixing_rule_name(rule)));
  row("nodes", fmt::format("{}", facts.nodes));
  row("edges", fmt::format("{}", facts.edges));
  row("degree", fmt::format("min {}, mean {:.4g}, max {}", facts.degree_min, facts.degree_mean, facts.degree_max));
  row("connected", facts.connected ? "yes" : fmt::format("NO ({} components)", facts.components));
  row("diameter", !facts.connected ? std::string("infinite (disconnected)")
                  : facts.diameter_exact ? fmt::format("{}", facts.diameter)
                                         : fmt::format(">= {} (double-sweep lower bound)", facts.diameter));
  row("mixing matrix", fmt::format("symmetric {}, doubly stochastic {}, non-negative {} "
                                   "(row-sum error {:.1e}, column-sum error {:.1e})",
                                   yes_no(check.symmetric), yes_no(check.doubly_stochastic),
                                   yes_no(check.nonnegative), check.max_row_sum_error, check.max_col_sum_error));
  row("lambda_2", fmt::format("{:.12g}", report.lambda_2));
  row("lambda_min", fmt::format("{:.12g}", report.lambda_min));
  row("spectral_gap", fmt::format("{:.6e}   1 - max(|lambda_2|, |lambda_min|), CHOCO-SGD's delta", report.spectral_gap));
  row("spectral_gap_signed", fmt::format("{:.6e}   1 - lambda_2", report.spectral_gap_signed));
  row("method", fmt::format("{} ({:.3g} s{})", report.method, seconds,
                            report.matrix_products ? fmt::format(", {} products/solves", report.matrix_products) : ""));
  for (const auto& note : notes) row("note", note);
  std::cout << text;
}

}  // namespace

void add_topo_command(CLI::App& app) {
  auto options = std::make_shared<TopoOptions>();
  CLI::App* topo = app.add_subcommand(
      "topo", "Build a topology (or read a graph file) and report its mixing matrix and spectral gap");
  topo->add_option("kind", options->kind, "Topology kind (listed below)");
  topo->add_option("-f,--file", options->file, "Read the graph from an edge list (.edges), GraphML (.graphml) or DOT (.dot) file");
  topo->add_option("-n,--nodes", options->nodes, "Number of nodes");
  topo->add_option("-w,--weights", options->weights, "Mixing rule (listed below)")->capture_default_str();
  topo->add_flag("--directed", options->directed,
                 "Read --file as a digraph (column-stochastic W, SLEM); with --weights file, W from its arc weights");
  topo->add_option("-p,--param", options->params, "Kind parameter NAME=VALUE (repeatable)");
  topo->add_option("-s,--seed", options->seed, "Seed of the random kinds")->capture_default_str();
  topo->add_flag("--json", options->json, "Print JSON instead of a table");
  topo->add_option("--write", options->write, "Also write the graph: DOT for .dot/.gv, else an edge list");
  topo->add_option("--method", options->method, "Eigenvalues: auto, dense or lanczos")->capture_default_str();
  topo->add_option("--dense-limit", options->dense_limit, "auto: dense eigen-solve up to this many nodes")
      ->capture_default_str();
  topo->footer(topo_footer());
  topo->callback([options] { run_topo(*options); });
}

}  // namespace dlsim::cli
