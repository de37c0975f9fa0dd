// The AVX2 kernels for dense minibatches must give the bits of the path they
// replace: gathering the rows as doubles and multiplying with Eigen.
#include "models/detail/float_row_products.hpp"

#include <catch2/catch.hpp>

#include <Eigen/Core>

#include <cstring>
#include <vector>

#include "data/synthetic.hpp"
#include "gradient_check.hpp"
#include "models/logistic.hpp"
#include "sim/random.hpp"

using namespace dlsim;
using namespace dlsim::testing;

namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

RowMatrix gathered(const Dataset& data, const std::vector<std::uint32_t>& batch) {
  RowMatrix rows(static_cast<Eigen::Index>(batch.size()), static_cast<Eigen::Index>(data.dim));
  for (std::size_t j = 0; j < batch.size(); ++j)
    for (std::size_t k = 0; k < data.dim; ++k)
      rows(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(k)) = data.dense[batch[j] * data.dim + k];
  return rows;
}

std::vector<std::uint32_t> random_batch(std::size_t size, std::size_t samples, RandomStream& rng) {
  std::vector<std::uint32_t> batch(size);
  for (auto& index : batch) index = static_cast<std::uint32_t>(rng.uniform_int(samples));
  return batch;
}

bool same_bits(const double* a, const double* b, std::size_t count) {
  return std::memcmp(a, b, count * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("float-row kernels give Eigen's bits for both products") {
  if (!detail::float_row_kernels_available()) {
    WARN("no AVX2 here: the kernels are not used, Eigen's path is");
    return;
  }
  RandomStream rng(3, 0, purpose_id("test.float_rows"));
  // Odd and even features, fewer and more than one 16-feature group, and
  // 4,000+ features (Eigen's 4-row blocks); batches of 2 to 300 rows (blocks
  // of 16 from 128 rows).
  for (std::size_t dim : {2, 3, 5, 16, 17, 50, 51, 131, 4001}) {
    const std::size_t samples = dim > 1000 ? 140 : 400;
    const Dataset data = random_classification(samples, dim, 2, dim);
    const auto w = random_vector(dim, 0.5, dim + 1);
    for (std::size_t size : {2, 3, 7, 8, 9, 32, 33, 127, 128, 130, 256}) {
      if (dim > 1000 && size > 130) continue;
      const std::vector<std::uint32_t> batch = random_batch(size, samples, rng);
      const RowMatrix rows = gathered(data, batch);
      const Eigen::Map<const Eigen::VectorXd> weights(w.data(), static_cast<Eigen::Index>(dim));
      Eigen::VectorXd expected_margins = rows * weights;
      std::vector<double> margins(size);
      detail::float_row_margins(data.dense.data(), dim, batch, w.data(), margins.data());
      INFO("dim " << dim << ", rows " << size);
      CHECK(same_bits(margins.data(), expected_margins.data(), size));

      const auto coefficients = random_vector(size, 1.0, size);
      const Eigen::Map<const Eigen::VectorXd> coefficient_vector(coefficients.data(), static_cast<Eigen::Index>(size));
      std::vector<double> gradient = random_vector(dim, 1.0, size + dim);  // the products add to it
      Eigen::VectorXd expected_gradient = Eigen::Map<const Eigen::VectorXd>(gradient.data(), static_cast<Eigen::Index>(dim));
      expected_gradient.noalias() += rows.transpose() * coefficient_vector;
      detail::float_row_add_weighted(data.dense.data(), dim, batch, coefficients.data(), gradient.data());
      CHECK(same_bits(gradient.data(), expected_gradient.data(), dim));
    }
  }
}
