// The interface's promise: after a first call has grown the workspace, loss and
// gradient allocate nothing. Counted by replacing the global operator new in
// this test executable.
#include "models/model.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

#include "gradient_check.hpp"
#include "models/logistic.hpp"
#include "models/mlp.hpp"
#include "models/softmax.hpp"

namespace {
std::atomic<long> allocations{0};

// Every form of the global operator new goes through these two, and every
// form of delete through std::free: a replacement must cover them all, or the
// library's own forms (Catch2 uses the nothrow ones) pair one allocator's new
// with the other's delete, which ASan reports as alloc-dealloc-mismatch.
void* counted_allocation(std::size_t size, std::size_t alignment = 0) noexcept {
  ++allocations;
  if (size == 0) size = 1;
  if (alignment <= alignof(std::max_align_t)) return std::malloc(size);
  // aligned_alloc wants a size that is a multiple of the alignment.
  return std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
}

void* counted_or_throw(std::size_t size, std::size_t alignment = 0) {
  if (void* p = counted_allocation(size, alignment)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t size) { return counted_or_throw(size); }
void* operator new[](std::size_t size) { return counted_or_throw(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return counted_allocation(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return counted_allocation(size); }
void* operator new(std::size_t size, std::align_val_t al) { return counted_or_throw(size, static_cast<std::size_t>(al)); }
void* operator new[](std::size_t size, std::align_val_t al) { return counted_or_throw(size, static_cast<std::size_t>(al)); }
void* operator new(std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept {
  return counted_allocation(size, static_cast<std::size_t>(al));
}
void* operator new[](std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept {
  return counted_allocation(size, static_cast<std::size_t>(al));
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

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
