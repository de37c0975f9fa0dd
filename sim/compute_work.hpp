// The numeric work of a compute task (Context::start_compute). It may run on
// any pool thread as soon as it is submitted, concurrently with other nodes'
// events: it must touch only what it captured (its snapshot) and the result
// buffers its node reserved for it, which the node must not read or write
// until on_compute_done. Any callable that can be moved: kept inside the
// object itself up to kInlineBytes, on the heap beyond.
//
// Why not std::function: it keeps every closure over 16 bytes on the heap, so
// each task cost two allocations (the closure, then the engine's job that
// holds it), and it insists on copyable closures. A task's closure (a
// gradient's snapshot of x, its minibatch and a few pointers) fits here, and
// the job that holds a ComputeWork is then the task's one allocation.
#pragma once

#include <concepts>
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace dlsim {

class ComputeWork {
 public:
  static constexpr std::size_t kInlineBytes = 128;

  ComputeWork() noexcept = default;
  ComputeWork(std::nullptr_t) noexcept {}
  template <typename Work>
    requires(!std::same_as<std::remove_cvref_t<Work>, ComputeWork> && std::invocable<std::remove_cvref_t<Work>&>)
  ComputeWork(Work&& work) {
    using Stored = std::remove_cvref_t<Work>;
    if constexpr (fits_inline<Stored>()) {
      ::new (static_cast<void*>(storage_)) Stored(std::forward<Work>(work));
      operations_ = &kInline<Stored>;
    } else {
      *reinterpret_cast<Stored**>(storage_) = new Stored(std::forward<Work>(work));
      operations_ = &kOnHeap<Stored>;
    }
  }
  ComputeWork(ComputeWork&& other) noexcept { take(other); }
  ComputeWork& operator=(ComputeWork&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  // Releases the callable (and what it captured).
  ComputeWork& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }
  ComputeWork(const ComputeWork&) = delete;
  ComputeWork& operator=(const ComputeWork&) = delete;
  ~ComputeWork() { reset(); }

  // Requires a callable.
  void operator()() { operations_->invoke(storage_); }
  explicit operator bool() const noexcept { return operations_ != nullptr; }

 private:
  struct Operations {
    void (*invoke)(void* storage);
    // Moves the callable from one storage to another; `from` is left empty (no destroy).
    void (*relocate)(void* from, void* to) noexcept;
    void (*destroy)(void* storage) noexcept;
  };

  template <typename Stored>
  static constexpr bool fits_inline() {
    return sizeof(Stored) <= kInlineBytes && alignof(Stored) <= alignof(std::max_align_t) &&
           std::is_nothrow_move_constructible_v<Stored>;
  }
  template <typename Stored>
  static constexpr Operations kInline{
      [](void* storage) { (*std::launder(static_cast<Stored*>(storage)))(); },
      [](void* from, void* to) noexcept {
        Stored* source = std::launder(static_cast<Stored*>(from));
        ::new (to) Stored(std::move(*source));
        source->~Stored();
      },
      [](void* storage) noexcept { std::launder(static_cast<Stored*>(storage))->~Stored(); }};
  template <typename Stored>
  static constexpr Operations kOnHeap{
      [](void* storage) { (**static_cast<Stored**>(storage))(); },
      [](void* from, void* to) noexcept { *static_cast<Stored**>(to) = *static_cast<Stored**>(from); },
      [](void* storage) noexcept { delete *static_cast<Stored**>(storage); }};

  void take(ComputeWork& other) noexcept {
    if (!other.operations_) return;
    other.operations_->relocate(other.storage_, storage_);
    operations_ = other.operations_;
    other.operations_ = nullptr;
  }
  void reset() noexcept {
    if (operations_) operations_->destroy(storage_);
    operations_ = nullptr;
  }

  alignas(std::max_align_t) std::byte storage_[kInlineBytes];
  const Operations* operations_ = nullptr;
};

}  // namespace dlsim
