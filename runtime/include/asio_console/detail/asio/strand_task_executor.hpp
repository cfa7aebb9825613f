// task_executor around a strand: the strand's inner executor plus one pointer to a shared block that
// holds the strand's implementation and the task, so that the wrapper is no larger than the strand
// (16 bytes around io_context's executor, 24 around thread_pool's) and any_io_executor stores it
// inline. Copies and derived executors (a property required of the inner executor) count
// references to the block, as copies of the strand count references to its implementation; the
// block is allocated once, when the task is spawned on the strand.
//
// It executes through Asio's strand service exactly as boost::asio::strand<E>::execute does. That
// needs the strand's implementation pointer, a member Asio leaves public but does not document:
// used only on the Asio versions whose strand was checked (internals.hpp), where the static checks
// below make a differing strand fail to compile, not misbehave. Included by task_executor.hpp;
// not for direct use.
#pragma once

#include <atomic>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "asio_console/detail/asio/flavor.hpp"
#include "asio_console/detail/asio/internals.hpp"
#include "asio_console/detail/executor_accounting.hpp"
#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console {
namespace detail {

using strand_service = net::detail::strand_executor_service;
using strand_implementation = strand_service::implementation_type;

template <typename Inner>
concept strand_internals_as_checked = requires(const net::strand<Inner>& strand, const Inner& inner) {
  { strand.impl_ } -> std::convertible_to<const strand_implementation&>;
  net::strand<Inner>(inner, strand.impl_);
  { strand_service::running_in_this_thread(strand.impl_) } -> std::same_as<bool>;
};

// The task and the strand's implementation, shared by every task_executor made from one spawn.
struct strand_task {
  std::atomic<std::uint32_t> references{1};
  instrumentation::task_handle task;
  strand_implementation implementation;

  /// The task while it has not finished; an empty handle after (and for none).
  instrumentation::task_handle live() const noexcept {
    return task.live() != nullptr ? task : instrumentation::task_handle{};
  }
};

// A counted reference to a strand_task, plus one bit in the pointer's alignment: whether this
// executor holds a unit of the task's pending work.
class strand_task_reference {
 public:
  explicit strand_task_reference(strand_task* shared) noexcept : bits_(reinterpret_cast<std::uintptr_t>(shared)) {}
  strand_task_reference(const strand_task_reference& other) noexcept : bits_(other.bits_ & ~std::uintptr_t{1}) {
    get().references.fetch_add(1, std::memory_order_relaxed);
  }
  strand_task_reference(strand_task_reference&& other) noexcept : bits_(std::exchange(other.bits_, 0)) {}
  strand_task_reference& operator=(const strand_task_reference&) = delete;
  strand_task_reference& operator=(strand_task_reference&&) = delete;
  ~strand_task_reference() {
    if (bits_ != 0 && get().references.fetch_sub(1, std::memory_order_acq_rel) == 1) delete &get();
  }

  strand_task& get() const noexcept { return *reinterpret_cast<strand_task*>(bits_ & ~std::uintptr_t{1}); }
  bool holds_work() const noexcept { return (bits_ & 1u) != 0; }
  void take_work() noexcept { bits_ |= 1u; }
  void drop_work() noexcept { bits_ &= ~std::uintptr_t{1}; }
  void swap(strand_task_reference& other) noexcept { std::swap(bits_, other.bits_); }

 private:
  std::uintptr_t bits_;
};

// execute_as_task's target for a strand: what boost::asio::strand<Inner>::execute does.
template <typename Inner>
struct strand_target {
  const Inner& inner;
  const strand_implementation& implementation;

  template <typename Function>
  void execute(Function&& function) const {
    strand_service::execute(implementation, inner, std::forward<Function>(function));
  }
  bool never_blocks() const noexcept { return detail::never_blocks(inner); }
  bool runs_inline_here() const noexcept { return strand_service::running_in_this_thread(implementation); }
};

}  // namespace detail

// Only on the Asio versions whose strand was checked (detail/asio/internals.hpp); on any other,
// a task on a strand runs on the generic task_executor.
template <typename Inner>
  requires detail::asio_internals::strand_checked
class task_executor<detail::net::strand<Inner>> {
  static_assert(detail::strand_internals_as_checked<Inner>,
                "asio-console reads the strand's implementation pointer as Asio 1.26 to 1.38 have it: this Asio "
                "differs (detail/asio/internals.hpp)");
  using strand_type = detail::net::strand<Inner>;

 public:
  using inner_executor_type = strand_type;

  /// An executor of no task on `strand` (see the generic task_executor). Allocates its shared block.
  template <typename Strand>
    requires std::same_as<Strand, strand_type>
  task_executor(const Strand& strand)  // NOLINT: implicit
      : inner_(strand.get_inner_executor()),
        task_(new detail::strand_task{.task = {}, .implementation = strand.impl_}) {}

  /// An executor for the task `task` on `strand`. Holds one unit of the task's pending work if the
  /// strand's inner executor tracks outstanding work.
  task_executor(const strand_type& strand, instrumentation::task_handle task)
      : inner_(strand.get_inner_executor()),
        task_(new detail::strand_task{.task = task, .implementation = strand.impl_}) {
    if (detail::tracks_work(inner_)) acquire_work();
  }

  // As for the generic task_executor, a copy never holds pending work; a move takes it along.
  task_executor(const task_executor& other) noexcept = default;
  task_executor(task_executor&& other) noexcept = default;
  task_executor& operator=(const task_executor& other) noexcept {
    task_executor copy(other);
    swap(copy);
    return *this;
  }
  task_executor& operator=(task_executor&& other) noexcept {
    task_executor moved(std::move(other));
    swap(moved);
    return *this;
  }
  ~task_executor() { release_work(); }

  /// The strand, rebuilt from its inner executor and implementation.
  strand_type inner_executor() const noexcept { return strand_type(inner_, task_.get().implementation); }
  instrumentation::task_handle task() const noexcept { return task_.get().live(); }

  template <typename Property>
    requires detail::net::can_query<const strand_type&, Property>::value
  decltype(auto) query(const Property& property) const
      noexcept(detail::net::is_nothrow_query<const strand_type&, Property>::value) {
    // As the strand answers: its inner executor's answer, but never "always blocking".
    if constexpr (std::is_convertible_v<Property, detail::net::execution::blocking_t>) {
      const detail::net::execution::blocking_t blocking = detail::net::query(inner_, property);
      return blocking == detail::net::execution::blocking.always
                 ? detail::net::execution::blocking_t(detail::net::execution::blocking.possibly)
                 : blocking;
    } else {
      return detail::net::query(inner_, property);
    }
  }

  template <typename Property>
    requires detail::net::can_require<const strand_type&, Property>::value
  auto require(const Property& property) const
      noexcept(detail::net::is_nothrow_require<const strand_type&, Property>::value) {
    return derive(detail::net::require(inner_, property));
  }

  template <typename Property>
    requires detail::net::can_prefer<const strand_type&, Property>::value
  auto prefer(const Property& property) const
      noexcept(detail::net::is_nothrow_prefer<const strand_type&, Property>::value) {
    return derive(detail::net::prefer(inner_, property));
  }

  template <typename Function>
  [[gnu::always_inline]] void execute(Function&& function) const {
    const detail::strand_task& shared = task_.get();
    detail::execute_as_task(detail::strand_target<Inner>{inner_, shared.implementation}, shared.live(),
                            std::forward<Function>(function));
  }

  bool running_in_this_thread() const noexcept {
    return detail::strand_service::running_in_this_thread(task_.get().implementation);
  }

  friend bool operator==(const task_executor& a, const task_executor& b) noexcept {
    return a.task_.get().task == b.task_.get().task &&
           a.task_.get().implementation == b.task_.get().implementation && a.inner_ == b.inner_;
  }
  friend bool operator!=(const task_executor& a, const task_executor& b) noexcept { return !(a == b); }

 private:
  template <typename>
  friend class task_executor;

  task_executor(Inner inner, const detail::strand_task_reference& task, bool acquires_work) noexcept
      : inner_(std::move(inner)), task_(task) {
    if (acquires_work) acquire_work();
  }

  template <typename Derived>
  task_executor<detail::net::strand<std::decay_t<Derived>>> derive(Derived&& derived) const noexcept {
    const bool acquires_work = !detail::tracks_work(inner_) && detail::tracks_work(derived);
    return task_executor<detail::net::strand<std::decay_t<Derived>>>(std::forward<Derived>(derived), task_,
                                                                     acquires_work);
  }

  void swap(task_executor& other) noexcept {
    std::swap(inner_, other.inner_);
    task_.swap(other.task_);
  }
  void acquire_work() noexcept {
    const instrumentation::task_handle task = task_.get().live();
    if (task.record == nullptr || !instrumentation::counts_as_pending_work(task)) return;
    instrumentation::add_pending_work(task, 1);
    task_.take_work();
  }
  void release_work() noexcept {
    if (task_.holds_work()) instrumentation::add_pending_work(task_.get().task, -1);
  }

  Inner inner_;
  detail::strand_task_reference task_;
};

}  // namespace asio_console
