// The dense minibatch products follow one order of fused multiply-adds on
// every machine: the AVX2 kernels must give the portable loops' bits, and
// both must be the exact products up to rounding.
#include "models/detail/float_row_products.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "data/synthetic.hpp"
#include "gradient_check.hpp"
#include "sim/random.hpp"

using namespace dlsim;
using namespace dlsim::testing;

namespace {

std::vector<std::uint32_t> random_batch(std::size_t size, std::size_t samples, RandomStream& rng) {
  std::vector<std::uint32_t> batch(size);
  for (auto& index : batch) index = static_cast<std::uint32_t>(rng.uniform_int(samples));
  return batch;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("float-row products, the kernels give the portable loops' bits, both the exact products") {
  if (!detail::float_row_kernels_available()) WARN("no AVX2 and FMA here: both sides run the portable loops");
  RandomStream rng(3, 0, purpose_id("test.float_rows"));
  // Every remainder of the features modulo 4 and 16 and 48 (the kernels'
  // passes), one feature, and 4,000+; one row, rows modulo 4, 256 (a chunk).
  for (std::size_t dim : {1, 2, 3, 4, 5, 16, 17, 47, 48, 50, 51, 52, 63, 131, 4001}) {
    const std::size_t samples = dim > 1000 ? 140 : 400;
    const Dataset data = random_classification(samples, dim, 2, dim);
    const auto w = random_vector(dim, 0.5, dim + 1);
    for (std::size_t size : {1, 2, 3, 4, 5, 7, 8, 9, 32, 33, 127, 256}) {
      if (dim > 1000 && size > 130) continue;
      INFO("dim " << dim << ", rows " << size);
      const std::vector<std::uint32_t> batch = random_batch(size, samples, rng);
      std::vector<double> margins(size), portable_margins(size);
      detail::float_row_margins(data.dense.data(), dim, batch, w.data(), margins.data());
      detail::portable_float_row_margins(data.dense.data(), dim, batch, w.data(), portable_margins.data());
      CHECK(same_bits(margins, portable_margins));

      const auto coefficients = random_vector(size, 1.0, size);
      const std::vector<double> start = random_vector(dim, 1.0, size + dim);  // the products add to it
      std::vector<double> gradient = start, portable_gradient = start;
      detail::float_row_add_weighted(data.dense.data(), dim, batch, coefficients.data(), gradient.data());
      detail::portable_float_row_add_weighted(data.dense.data(), dim, batch, coefficients.data(),
                                              portable_gradient.data());
      CHECK(same_bits(gradient, portable_gradient));

      // Against sums in long double: off by no more than the roundings of a
      // sum of that many terms (relative to the sum of their magnitudes).
      for (std::size_t j = 0; j < size; ++j) {
        long double exact = 0, magnitude = 0;
        for (std::size_t k = 0; k < dim; ++k) {
          const long double term = static_cast<long double>(data.dense[batch[j] * dim + k]) * w[k];
          exact += term;
          magnitude += std::fabs(term);
        }
        CHECK(std::fabs(static_cast<long double>(margins[j]) - exact) <= 1e-15L * dim * magnitude + 1e-300L);
      }
      for (std::size_t k = 0; k < dim; ++k) {
        long double exact = start[k], magnitude = std::fabs(start[k]);
        for (std::size_t j = 0; j < size; ++j) {
          const long double term = static_cast<long double>(data.dense[batch[j] * dim + k]) * coefficients[j];
          exact += term;
          magnitude += std::fabs(term);
        }
        CHECK(std::fabs(static_cast<long double>(gradient[k]) - exact) <= 1e-15L * size * magnitude + 1e-300L);
      }
    }
  }
}

TEST_CASE("float-row products follow the documented order of fused multiply-adds") {
  // One row of five features: four in the lanes, one left over.
  const std::vector<float> row{1.0f, 1.0f, 1.0f, 1.0f, 1.0f};
  const std::vector<std::uint32_t> batch{0};
  // Lanes: s_0 = 1e17, s_1 = 1, s_2 = -1e17, s_3 = 1 (a double's spacing at
  // 1e17 is 16, so 1e17 + 1 rounds to 1e17): (s_0 + s_1) + (s_2 + s_3) = 0,
  // then the fifth feature adds 0.5. One sum from the left would give 1.5,
  // lanes paired the other way (s_0 + s_2) + (s_1 + s_3) 2.5.
  const std::vector<double> w{1e17, 1.0, -1e17, 1.0, 0.5};
  double margin = -1, portable_margin = -1;
  detail::float_row_margins(row.data(), 5, batch, w.data(), &margin);
  detail::portable_float_row_margins(row.data(), 5, batch, w.data(), &portable_margin);
  CHECK(margin == 0.5);
  CHECK(portable_margin == 0.5);
  // The gradient's sums run over the rows in batch order: (1e17 + 1) - 1e17 =
  // 0; summed from the last row it would be 1.
  const std::vector<float> column{1.0f, 1.0f, 1.0f};
  const std::vector<std::uint32_t> rows{0, 1, 2};
  const std::vector<double> coefficients{1e17, 1.0, -1e17};
  double gradient = 0, portable_gradient = 0;
  detail::float_row_add_weighted(column.data(), 1, rows, coefficients.data(), &gradient);
  detail::portable_float_row_add_weighted(column.data(), 1, rows, coefficients.data(), &portable_gradient);
  CHECK(gradient == 0.0);
  CHECK(portable_gradient == 0.0);
}
