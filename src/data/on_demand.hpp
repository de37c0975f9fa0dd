// Samples generated on demand, for runs too large to store a data set: each
// call draws fresh samples from the caller's RandomStream into a Dataset that
// the caller keeps and reuses (see BatchSource::generate in
// algorithms/decentralized/config.hpp, which takes a function of this type).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "data/dataset.hpp"
#include "sim/node.hpp"
#include "sim/random.hpp"

namespace dlsim {

// Draws `count` fresh samples for `node` from `rng` into `out` (overwritten).
// The same signature as the algorithms' SampleGenerator; data does not depend
// on algorithms, so the type is spelled out here.
using OnDemandGenerator = std::function<void(NodeId node, std::size_t count, RandomStream& rng, Dataset& out)>;

// How the features of generated samples are drawn: standard normal, or
// Rademacher (+1 or -1 with equal probability: the same mean and variance,
// 32 features per random word, about 30 times cheaper to draw; for runs where
// drawing the data would cost more than learning from it).
enum class FeatureDistribution { normal, rademacher };

// A ground-truth direction w* ~ N(0, I / d), drawn from `rng`. O(d).
std::vector<double> logistic_direction(std::size_t d, RandomStream& rng);

// Fills `out` with `count` dense binary samples of dimension w_star.size():
// a ~ N(0, I) or uniform on {-1, +1}^d (see FeatureDistribution; stored as float), y = sign(<a, w*>) in {-1, +1} (0 -> +1), computed
// on the stored values, then flipped with probability `flip_probability`;
// classes 0/1 for y = -1/+1, num_classes = 2, as make_logistic fills a set.
// Reuses out's buffers: no allocation when `count` and the dimension are those
// of the previous call. Features are ziggurat normals (one 32-bit word each,
// almost always) from Philox blocks keyed by one 64-bit draw from `rng`:
// O(count * d), about four times cheaper than RandomStream::normal.
void generate_logistic(std::span<const double> w_star, double flip_probability, std::size_t count,
                       RandomStream& rng, Dataset& out,
                       FeatureDistribution features = FeatureDistribution::normal);

// generate_logistic with a shared w* (every node samples the same
// distribution; the node id is ignored). The function is immutable and safe
// to call from several threads with distinct streams and outputs.
OnDemandGenerator make_logistic_generator(std::shared_ptr<const std::vector<double>> w_star,
                                          double flip_probability,
                                          FeatureDistribution features = FeatureDistribution::normal);

}  // namespace dlsim
