// Test inputs for robust/: owned vectors and their views.
#pragma once

#include <vector>

#include "robust/aggregator.hpp"
#include "sim/random.hpp"

namespace dlsim::testing {

struct Inputs {
  std::vector<std::vector<double>> vectors;
  std::vector<VectorView> views() const {
    std::vector<VectorView> out;
    for (const auto& v : vectors) out.emplace_back(v.data(), v.size());
    return out;
  }
  void add(std::vector<double> v) { vectors.push_back(std::move(v)); }
};

// n vectors of dimension d with N(centre, 1) coordinates from one stream.
inline Inputs gaussian_inputs(std::size_t n, std::size_t d, double centre, std::uint64_t seed) {
  RandomStream rng(seed, 0, purpose_id("test.robust"));
  Inputs inputs;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> v(d);
    for (auto& x : v) x = rng.normal(centre, 1.0);
    inputs.add(v);
  }
  return inputs;
}

// Honest vectors, then copies symmetric about their mean: x and 2 mean - x.
inline Inputs symmetric_inputs(std::size_t pairs, std::size_t d, std::uint64_t seed) {
  Inputs half = gaussian_inputs(pairs, d, 0.0, seed);
  Inputs inputs;
  for (const auto& v : half.vectors) {
    inputs.add(v);
    std::vector<double> mirror(v.size());
    for (std::size_t k = 0; k < v.size(); ++k) mirror[k] = 6.0 - v[k];  // symmetric about 3
    inputs.add(mirror);
  }
  return inputs;
}

template <typename Message>
std::string error_of(Message&& make) {
  try {
    make();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace dlsim::testing
