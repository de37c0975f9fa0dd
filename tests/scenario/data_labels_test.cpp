// Labels of data files as runs see them: binary labels of any two values are
// -1/+1, and the test file takes the training file's class mapping.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "scenario/experiment.hpp"
#include "scenario/experiment_builder.hpp"

using namespace dlsim;
using Catch::Contains;

namespace {

std::string scratch_dir() {
  const auto dir = std::filesystem::path(DLSIM_BINARY_DIR) / "data_labels_test";
  std::filesystem::create_directories(dir);
  return dir.string();
}

// `count` samples cycling through `labels`; a sample labelled y has feature
// (y mod 3) + 1 set to 1 and no other, so distinct labels mod 3 are separable.
std::string write_libsvm(const std::string& name, const std::vector<int>& labels, int count) {
  const std::string path = scratch_dir() + "/" + name;
  std::ofstream out(path);
  for (int i = 0; i < count; ++i) {
    const int label = labels[std::size_t(i) % labels.size()];
    out << label << ' ' << label % 3 + 1 << ":1\n";
  }
  return path;
}

Scenario scenario(const std::string& train, const std::string& test, const std::string& model) {
  const std::string text = "name = \"labels\"\nnodes = 4\n[data]\nsource = \"libsvm\"\npath = \"" + train +
                           "\"\ntest_path = \"" + test + "\"\n[model]\nkind = \"" + model +
                           "\"\n[algorithm]\nlearning_rate = 1.0\n[stop]\nrounds = 60\n";
  return parse_scenario(text, "labels.toml", {}, scenario_schema());
}

}  // namespace

TEST_CASE("logistic regression on labels {2, 4} trains as on -1/+1, and a one-class test file agrees") {
  const std::string train = write_libsvm("binary_train.svm", {2, 4}, 200);
  const std::string test = write_libsvm("binary_test.svm", {4}, 50);
  const Experiment experiment = build_experiment(scenario(train, test, "logistic"), 1);
  CHECK(experiment.train->targets[0] == -1.0);
  CHECK(experiment.train->targets[1] == 1.0);
  CHECK(experiment.test->targets[0] == 1.0);
  const RunSummary summary =
      run_scenario(scenario(train, test, "logistic"), RunOptions{scratch_dir() + "/binary_run", 1, true});
  CHECK(summary.status == RunStatus::completed);
  CHECK(summary.final.at("train_accuracy") > 0.95);
  CHECK(summary.final.at("test_accuracy") > 0.95);
}

TEST_CASE("a multi-class test file holding a subset of the classes keeps the training classes") {
  const std::string train = write_libsvm("multi_train.svm", {1, 2, 3}, 300);
  const std::string test = write_libsvm("multi_test.svm", {2, 3}, 60);
  const Experiment experiment = build_experiment(scenario(train, test, "softmax"), 1);
  CHECK(experiment.test->num_classes == 3);
  CHECK(experiment.test->classes[0] == 1);  // label 2 is class 1, as in training
  CHECK(experiment.test->classes[1] == 2);
  // A label the training file never had is refused at its line.
  const std::string unseen = write_libsvm("multi_unseen.svm", {2, 7}, 4);
  CHECK_THROWS_WITH(build_experiment(scenario(train, unseen, "softmax"), 1),
                    Contains("data.test_path: " + unseen + ":2: label 7 is not a class of the training set (1, 2, 3)"));
}

TEST_CASE("logistic regression on three labels is refused, naming them") {
  const std::string train = write_libsvm("three.svm", {1, 2, 3}, 30);
  CHECK_THROWS_WITH(build_experiment(scenario(train, train, "logistic"), 1),
                    Contains("model.kind: logistic regression needs exactly two distinct labels; " + train +
                             " has 3 (1, 2, 3)"));
}

TEST_CASE("least squares reads integral targets as numbers, not as classes") {
  // One constant feature: f(w) = (1/2n) sum (w - y_j)^2 is least at w = mean(y)
  // = 1.75, where it is half the variance, 57.5 / 16 = 3.594. Read as classes (the old
  // behaviour) the targets became the class indices 0..4.
  const std::string path = scratch_dir() + "/regression.svm";
  {
    std::ofstream out(path);
    for (int y : {1, 1, 0, -2, 6, 6, 0, 2}) out << y << " 1:1\n";
  }
  const Experiment experiment = build_experiment(scenario(path, path, "least-squares"), 1);
  CHECK(experiment.train->num_classes == 0);
  CHECK(experiment.train->targets[3] == -2.0);
  CHECK(experiment.train->targets[4] == 6.0);
  CHECK(experiment.test->num_classes == 0);
  CHECK(experiment.test->targets[4] == 6.0);
  Scenario regression = scenario(path, path, "least-squares");
  const RunSummary summary = run_scenario(regression, RunOptions{scratch_dir() + "/regression_run", 1, true});
  CHECK(summary.status == RunStatus::completed);
  // The default l2 of 1e-4 adds (1e-4 / 2) 1.75^2 = 1.5e-4.
  CHECK(summary.final.at("loss") == Approx(57.5 / 16).epsilon(1e-4));
}
