// The Davis southern women graph, built in code so that the library needs no
// data file at run time; tests check it against topologies/graphs/social_network.edges.
#include <array>
#include <vector>

#include "topologies/generators.hpp"

namespace dlsim {

Graph social_network_graph() {
  // Davis, Gardner and Gardner, "Deep South" (1941): the events (E1..E14,
  // numbered 0..13) each of the 18 women attended, in the node order that
  // networkx's davis_southern_women_graph() and hence the CHOCO-SGD code use.
  static const std::array<std::vector<int>, 18> kAttended = {{
      {0, 1, 2, 3, 4, 5, 7, 8},      // Evelyn Jefferson
      {0, 1, 2, 4, 5, 6, 7},         // Laura Mandeville
      {1, 2, 3, 4, 5, 6, 7, 8},      // Theresa Anderson
      {0, 2, 3, 4, 5, 6, 7},         // Brenda Rogers
      {2, 3, 4, 6},                  // Charlotte McDowd
      {2, 4, 5, 7},                  // Frances Anderson
      {4, 5, 6, 7},                  // Eleanor Nye
      {5, 7, 8},                     // Pearl Oglethorpe
      {4, 6, 7, 8},                  // Ruth DeSand
      {6, 7, 8, 11},                 // Verne Sanderson
      {7, 8, 9, 11},                 // Myra Liddel
      {7, 8, 9, 11, 12, 13},         // Katherina Rogers
      {6, 7, 8, 9, 11, 12, 13},      // Sylvia Avondale
      {5, 6, 8, 9, 10, 11, 12, 13},  // Nora Fayette
      {6, 7, 9, 10, 11},             // Helen Lloyd
      {7, 8},                        // Dorothy Murchison
      {8, 10},                       // Olivia Carleton
      {8, 10},                       // Flora Price
  }};
  constexpr std::uint32_t kWomen = 18, kEvents = 14;
  std::vector<EdgePair> edges;
  for (std::uint32_t woman = 0; woman < kWomen; ++woman) {
    for (int event : kAttended[woman]) {
      edges.emplace_back(woman, kWomen + static_cast<std::uint32_t>(event));
    }
  }
  return graph_from_edges(kWomen + kEvents, edges, "social-network");
}

}  // namespace dlsim
