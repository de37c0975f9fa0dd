// `dlsim topo`: build or read a topology, then report its graph facts, the
// checks of its mixing matrix and its spectrum, as a table or as JSON.
#include <fmt/core.h>
#include <fmt/os.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
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

void run_topo(const TopoOptions& options) {
  if (options.kind.empty() == options.file.empty()) {
    throw std::invalid_argument("topo: give either a KIND or --file FILE (see dlsim topo --help)");
  }
  ParamText params;
  for (const auto& assignment : options.params) parse_param_assignment(assignment, params);
  const MixingRule rule = parse_mixing_rule(options.weights);
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
  const SparseMatrix w = mixing_matrix(graph, rule);
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
    out["weights"] = std::string(mixing_rule_name(rule));
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
  row("weights", std::string(mixing_rule_name(rule)));
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
