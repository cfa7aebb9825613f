// asio_console::task_executor<Executor>: the executor every instrumented task runs on.
//
// A small value (the inner executor plus a handle of the task: its record's address and id, or an
// 8-byte index and tag where 16 bytes would not fit) that forwards every property to the
// inner executor and accounts each execution of the task's coroutine: wakes, polls, busy and
// scheduled time. It takes no lock and allocates nothing beyond what the inner executor does, and
// any_io_executor stores it inline (24 bytes at most) around io_context's and thread_pool's
// executors and strands of either: copying or deriving it never allocates. Around a strand it is
// the strand's inner executor and one counted reference to a block holding the strand's
// implementation and the task (allocated when the task is spawned), as large as the strand itself.
// Copies that outlive the task (an I/O object built from `co_await this_coro::executor`) turn into
// plain forwarding once the task has finished.
//
// Pending work: every Asio operation takes outstanding work on the executor of the handler it will
// resume (`prefer(ex, outstanding_work.tracked)`). Each such acquisition, from an executor that did
// not track work, counts one unit of the task's pending work until the executor it produced (or
// what it was moved into) is destroyed; copies of it add nothing. An idle task with none has
// nothing inside Asio that can wake it.
//
// You rarely name it: asio_console::co_spawn creates it, and `co_await this_coro::executor` returns
// an any_io_executor whose target() is a task_executor. Code that asks that any_io_executor for
// another target type (a strand, say) sees the wrapper instead. Programs whose coroutines use a
// concrete executor type name it once, in that type's alias:
//
//   using executor_type = asio_console::task_executor<boost::asio::io_context::executor_type>;
//   boost::asio::awaitable<void, executor_type> session(...);
//
// It converts implicitly from the executor it wraps (a task_executor of no task, which only
// forwards), so I/O objects and co_spawn calls written for that executor keep compiling. With
// ASIO_CONSOLE_DISABLE, task_executor<E> is E itself.
#pragma once

#if defined(ASIO_CONSOLE_DISABLE)
namespace asio_console {
template <typename Executor>
using task_executor = Executor;
}  // namespace asio_console
#else

#include <concepts>
#include <type_traits>
#include <utility>

#include "asio_console/detail/asio/flavor.hpp"
#include "asio_console/detail/executor_accounting.hpp"
#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console {

template <typename Executor>
class task_executor {
 public:
  using inner_executor_type = Executor;

  /// An executor of no task: it forwards everything to `inner` and accounts nothing. Lets an I/O
  /// object or a plain co_spawn take the wrapped executor where the wrapper's type is asked for.
  /// Only for concrete executor types, and only from exactly that type (an any_io_executor
  /// converts from a task_executor, and the two conversions must not chase each other).
  template <typename Inner>
    requires std::same_as<Inner, Executor> && (!requires(const Inner& e) { e.target_type(); })
  task_executor(const Inner& inner) noexcept : inner_(inner) {}  // NOLINT: implicit

  /// An executor for the task `task` that runs on `inner`. If `inner` tracks outstanding work, the
  /// new executor holds one unit of the task's pending work.
  task_executor(Executor inner, instrumentation::task_handle task) noexcept
      : inner_(std::move(inner)), task_(task, false) {
    if (detail::tracks_work(inner_)) acquire_work();
  }

  // A copy never holds pending work of its own: the unit stays with the executor that acquired it,
  // and moves with it.
  task_executor(const task_executor& other) noexcept : inner_(other.inner_), task_(other.task_.without_work()) {}
  task_executor(task_executor&& other) noexcept : inner_(std::move(other.inner_)), task_(other.task_) {
    if (may_hold_work()) other.task_.drop_work();
  }
  task_executor& operator=(const task_executor& other) noexcept {
    if (this != &other) {
      release_work();
      inner_ = other.inner_;
      task_ = other.task_.without_work();
    }
    return *this;
  }
  task_executor& operator=(task_executor&& other) noexcept {
    if (this != &other) {
      release_work();
      inner_ = std::move(other.inner_);
      task_ = other.task_;
      if (may_hold_work()) other.task_.drop_work();
    }
    return *this;
  }
  ~task_executor() { release_work(); }

  const Executor& inner_executor() const noexcept { return inner_; }
  /// The task while it has not finished; an empty handle once it has (or for an executor of none).
  instrumentation::task_handle task() const noexcept { return task_.live(); }

  template <typename Property>
    requires detail::net::can_query<const Executor&, Property>::value
  decltype(auto) query(const Property& property) const
      noexcept(detail::net::is_nothrow_query<const Executor&, Property>::value) {
    return detail::net::query(inner_, property);
  }

  template <typename Property>
    requires detail::net::can_require<const Executor&, Property>::value
  auto require(const Property& property) const
      noexcept(detail::net::is_nothrow_require<const Executor&, Property>::value) {
    return derive(detail::net::require(inner_, property));
  }

  template <typename Property>
    requires detail::net::can_prefer<const Executor&, Property>::value
  auto prefer(const Property& property) const
      noexcept(detail::net::is_nothrow_prefer<const Executor&, Property>::value) {
    return derive(detail::net::prefer(inner_, property));
  }

  template <typename Function>
  [[gnu::always_inline]] void execute(Function&& function) const {
    detail::execute_as_task(detail::executor_target<Executor>{inner_}, task_.live(), std::forward<Function>(function));
  }

  friend bool operator==(const task_executor& a, const task_executor& b) noexcept {
    return same_task(a.task_, b.task_) && a.inner_ == b.inner_;
  }
  friend bool operator!=(const task_executor& a, const task_executor& b) noexcept { return !(a == b); }

 private:
  template <typename>
  friend class task_executor;

  task_executor(Executor inner, detail::work_handle_for<Executor> task, bool acquires_work) noexcept
      : inner_(std::move(inner)), task_(task) {
    if (acquires_work) acquire_work();
  }

  // The executor for a property of the inner one: it holds a unit of pending work when the
  // property starts tracking work here (an operation taking work for the handler it will resume).
  template <typename Derived>
  task_executor<std::decay_t<Derived>> derive(Derived&& derived) const noexcept {
    const bool acquires_work = !detail::tracks_work(inner_) && detail::tracks_work(derived);
    using derived_handle = detail::work_handle_for<std::decay_t<Derived>>;
    derived_handle task;
    if constexpr (std::is_same_v<derived_handle, decltype(task_)>) {
      task = task_.without_work();
    } else {
      task = derived_handle(task_.live(), false);  // an allocator with state made it larger
    }
    return task_executor<std::decay_t<Derived>>(std::forward<Derived>(derived), task, acquires_work);
  }

  // False at compile time for an untracked io_context executor: its moves and destruction skip the bit.
  bool may_hold_work() const noexcept { return detail::tracks_work(inner_); }
  // Takes a unit of the task's pending work, if the task has not finished.
  void acquire_work() noexcept {
    const instrumentation::task_handle task = task_.live();
    if (task.record == nullptr || !instrumentation::counts_as_pending_work(task)) return;
    instrumentation::add_pending_work(task, 1);
    task_.take_work();
  }
  void release_work() noexcept {
    if (may_hold_work() && task_.holds_work()) instrumentation::add_pending_work(task_.live(), -1);
  }

  Executor inner_;
  detail::work_handle_for<Executor> task_;
};

}  // namespace asio_console

#include "asio_console/detail/asio/strand_task_executor.hpp"

namespace asio_console {

// The sizes this header promises: any_io_executor stores up to 24 bytes inline.
static_assert(sizeof(task_executor<detail::net::io_context::executor_type>) == 24);
static_assert(sizeof(task_executor<detail::net::thread_pool::executor_type>) == 24);
// Around a strand, only where the strand's internals were checked (detail/asio/internals.hpp):
// elsewhere the generic wrapper is the strand plus 8 bytes, stored on the heap by any_io_executor.
static_assert(!detail::asio_internals::strand_checked ||
              sizeof(task_executor<detail::net::strand<detail::net::io_context::executor_type>>) == 16);
static_assert(!detail::asio_internals::strand_checked ||
              sizeof(task_executor<detail::net::strand<detail::net::thread_pool::executor_type>>) == 24);

}  // namespace asio_console

#endif  // ASIO_CONSOLE_DISABLE
