// Metrics of a set of node models at one round, computed off the simulated
// clock: the objective and its gradient at the average model, accuracy, and
// the consensus distance. Sums run over fixed chunks of samples in order, so
// the figures are bit-identical for any thread count.
#pragma once

#include <span>
#include <vector>

#include "data/dataset.hpp"
#include "models/model.hpp"

namespace dlsim {

struct ModelEvaluation {
  double loss = 0;                // f(x_bar) over the whole training set
  double gradient_norm = 0;       // ||grad f(x_bar)||
  double train_accuracy = -1;     // at x_bar; -1 when the model has none
  double test_accuracy = -1;      // at x_bar on the test set; -1 when none
  double consensus_distance = 0;  // (1/n) sum_i ||x_i - x_bar||^2
  double node_test_accuracy = -1; // mean over nodes of the test accuracy at x_i; -1 when not asked or none
};

// (1/n) sum_i ||x_i - point||^2, summed in node order (with point = x_bar: the consensus distance).
double mean_squared_distance(std::span<const std::vector<double>> models, std::span<const double> point);

// The average of the models, summed in node order.
std::vector<double> average_model(std::span<const std::vector<double>> models);

// Requires at least one model, all of the model's dimension. `test` may be
// empty. `per_node_accuracy` adds the mean of the nodes' own test accuracies
// (one pass over the test set per node).
ModelEvaluation evaluate_models(std::span<const std::vector<double>> models, const Model& model,
                                const Dataset& train, const Dataset* test, bool per_node_accuracy = false);

// f(x) and its gradient over every sample of `data` (mean over samples), in fixed chunks.
double full_loss_and_gradient(const Model& model, std::span<const double> x, const Dataset& data,
                              std::span<double> gradient);

}  // namespace dlsim
