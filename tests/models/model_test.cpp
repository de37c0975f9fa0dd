// The interface's promise: after a first call has grown the workspace, loss and
// gradient allocate nothing. Counted by replacing the global operator new in
// this test executable.
#include "models/model.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

#include "gradient_check.hpp"
#include "models/logistic.hpp"
#include "models/mlp.hpp"
#include "models/softmax.hpp"

namespace {
std::atomic<long> allocations{0};
}

void* operator new(std::size_t size) {
  ++allocations;
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("loss_and_gradient allocates nothing once the workspace has grown") {
  const Dataset data = random_classification(300, 784, 10, 31);
  const Dataset binary = random_classification(300, 784, 2, 32);
  const Mlp mlp({784, 128, 10});
  const SoftmaxRegression softmax(784, 10);
  const LogisticRegression logistic(784, 0.01);
  std::vector<std::uint32_t> batch(64);
  for (std::uint32_t i = 0; i < 64; ++i) batch[i] = i * 3;
  for (const Model* model : {static_cast<const Model*>(&mlp), static_cast<const Model*>(&softmax),
                             static_cast<const Model*>(&logistic)}) {
    const Dataset& d = model == &logistic ? binary : data;
    auto ws = model->make_workspace();
    std::vector<double> x(model->dimension(), 0.01), g(model->dimension());
    model->loss_and_gradient(x, d, batch, g, *ws);  // warm-up
    const long before = allocations.load();
    for (int repeat = 0; repeat < 3; ++repeat) model->loss_and_gradient(x, d, batch, g, *ws);
    const long made = allocations.load() - before;  // before INFO, which allocates its message
    INFO(model->name());
    CHECK(made == 0);
  }
}
