// How fair one model is across the clients of a federated run: its accuracy
// on each client's own data, summarised by the mean and the 10th percentile
// (the accuracy the worst-served tenth of the clients gets at most), as in
// the fairness evaluations of q-FFL (Li, Sanjabi, Beirami, Smith, ICLR 2020).
//
// The data layer has no per-client held-out split, so a client's accuracy is
// measured on its training shard (its index list in the partition). With
// many clients only a fixed sample is evaluated: drawn once, uniformly
// without replacement from a stream keyed by the seed, the same clients at
// every evaluation, so that a curve follows one population. The evaluation
// is measurement, off the simulated clock; it runs in parallel over clients,
// each client's figure computed by one task alone and the mean summed in
// sample order, so the figures are bit-identical for any thread count.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "data/dataset.hpp"
#include "models/model.hpp"
#include "sim/node.hpp"

namespace dlsim {

struct AccuracyDistribution {
  double mean = 0;  // unweighted: every evaluated client counts once, whatever its sample count
  double p10 = 0;   // nearest-rank 10th percentile (see nearest_rank_percentile)
};

// The nearest-rank q-quantile: the ceil(q n)-th smallest of the n values
// (1-based), the smallest when q n <= 1. Requires values non-empty and
// 0 < q <= 1. O(n).
double nearest_rank_percentile(std::vector<double> values, double q);

// Mean and nearest-rank 10th percentile of `accuracies` (non-empty); the mean
// summed in the order given.
AccuracyDistribution accuracy_distribution(std::span<const double> accuracies);

// The clients evaluated: every client 0..clients-1 when clients <= sample,
// otherwise `sample` of them drawn uniformly without replacement (Floyd's
// algorithm) from the stream (seed, 0, "metrics.client_sample"); in id order.
// O(sample log sample).
std::vector<NodeId> evaluated_clients(std::uint32_t clients, std::uint32_t sample,
                                      std::uint64_t seed);

class ClientAccuracy {
 public:
  // Keeps the index lists of the evaluated clients only (partition: one
  // index list into `data` per client; `sample` > 0). Requires a model with
  // accuracy; a client without samples is not evaluated.
  ClientAccuracy(std::shared_ptr<const Model> model, SharedDataset data,
                 const std::vector<std::vector<std::uint32_t>>& partition, std::uint32_t sample,
                 std::uint64_t seed);

  // The accuracy at x of each evaluated client, in clients() order. Cost:
  // one accuracy pass over the evaluated clients' samples, on the TBB pool.
  std::vector<double> accuracies(std::span<const double> x) const;
  AccuracyDistribution distribution(std::span<const double> x) const {
    return accuracy_distribution(accuracies(x));
  }
  const std::vector<NodeId>& clients() const { return clients_; }

 private:
  std::shared_ptr<const Model> model_;
  SharedDataset data_;
  std::vector<NodeId> clients_;
  std::vector<std::uint64_t>
      offsets_;  // client i's samples: indices_[offsets_[i], offsets_[i + 1])
  std::vector<std::uint32_t> indices_;
};

}  // namespace dlsim
