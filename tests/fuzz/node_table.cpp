// Fuzzes per-node table files (sim/heterogeneity.hpp: "node,value" rows, as
// a scenario's compute.speed_table names them). The run's
// node count is taken as the number of rows, and one fewer (a header line),
// so that well-formed tables are accepted. Accepted or std::invalid_argument,
// and an accepted table gives one finite non-negative value per node.
#include <cmath>

#include "fuzz_support.hpp"
#include "sim/heterogeneity.hpp"

using namespace dlsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  const std::string path = fuzz::write_temp_file("table.csv", text);
  std::uint32_t rows = 0;
  for (const char c : text) rows += c == '\n';
  for (const std::uint32_t nodes : {rows, rows + 1, rows > 0 ? rows - 1 : 0}) {
    std::vector<double> values;
    if (!fuzz::accepts([&] { values = read_node_table(path, nodes); })) continue;
    fuzz::require(values.size() == nodes, "a table has one value per node");
    for (const double value : values) fuzz::require(std::isfinite(value) && value >= 0, "table values are finite and non-negative");
  }
  return 0;
}
