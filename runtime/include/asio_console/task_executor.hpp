// asio_console::task_executor<Executor>: the executor every instrumented task runs on.
//
// A small value (the inner executor plus a 16-byte task handle; 24 bytes around
// io_context::executor_type, which any_io_executor stores without allocating) that forwards every
// property to the inner executor and accounts each execution of the task's coroutine: wakes, polls,
// busy and scheduled time. It takes no lock and allocates nothing beyond what the inner executor
// does. Copies that outlive the task (an I/O object built from `co_await this_coro::executor`) turn
// into plain forwarding once the task has finished.
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

#include <boost/asio/execution.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>
#include <concepts>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console {

namespace detail {

// The function an instrumented execute() hands to the inner executor: one poll of the task.
template <typename Function>
struct polled_function {
  Function function;
  instrumentation::task_handle task;
  instrumentation::ticks wake_stamp;

  void operator()() {
    instrumentation::poll_scope poll(task, wake_stamp);
    function();
  }
};

// Whether `executor` answers `property` with `value`; false if it cannot be asked. Decided at
// compile time for an io_context executor.
template <typename Executor, typename Property, typename Value>
bool query_is(const Executor& executor, const Property& property, const Value& value) noexcept {
  if constexpr (boost::asio::can_query<const Executor&, Property>::value) {
    return boost::asio::query(executor, property) == value;
  } else {
    return false;
  }
}

template <typename Executor>
bool never_blocks(const Executor& executor) noexcept {
  return query_is(executor, boost::asio::execution::blocking, boost::asio::execution::blocking.never);
}

template <typename Executor>
bool runs_inline_here(const Executor& executor) noexcept {
  if constexpr (requires { { executor.running_in_this_thread() } -> std::convertible_to<bool>; }) {
    return executor.running_in_this_thread();
  } else {
    return false;
  }
}

// Whether `executor` keeps outstanding work (a pending operation's executor does). Decided at
// compile time for an io_context executor and a strand of one.
template <typename Executor>
bool tracks_work(const Executor& executor) noexcept {
  return query_is(executor, boost::asio::execution::outstanding_work, boost::asio::execution::outstanding_work.tracked);
}

// A task handle plus one bit, kept in the record pointer's alignment: whether this executor holds
// a unit of the task's pending work. Keeps task_executor at 24 bytes around an io_context executor.
class work_holding_handle {
 public:
  work_holding_handle(instrumentation::task_handle task, bool holds_work) noexcept
      : record_bits_(reinterpret_cast<std::uintptr_t>(task.record) | (holds_work ? 1u : 0u)),
        generation_(task.generation) {}

  instrumentation::task_handle handle() const noexcept {
    return {reinterpret_cast<instrumentation::task_record*>(record_bits_ & ~std::uintptr_t{1}), generation_};
  }
  bool holds_work() const noexcept { return (record_bits_ & 1u) != 0; }
  work_holding_handle without_work() const noexcept { return {record_bits_ & ~std::uintptr_t{1}, generation_}; }
  void drop_work() noexcept { record_bits_ &= ~std::uintptr_t{1}; }

 private:
  work_holding_handle(std::uintptr_t record_bits, std::uint64_t generation) noexcept
      : record_bits_(record_bits), generation_(generation) {}

  std::uintptr_t record_bits_;
  std::uint64_t generation_;
};

}  // namespace detail

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
  task_executor(const Inner& inner) noexcept : inner_(inner), task_(instrumentation::task_handle{}, false) {}  // NOLINT: implicit

  /// An executor for the task `task` that runs on `inner`. If `inner` tracks outstanding work, the
  /// new executor holds one unit of the task's pending work.
  task_executor(Executor inner, instrumentation::task_handle task) noexcept
      : inner_(std::move(inner)), task_(task, task.record != nullptr && detail::tracks_work(inner_)) {
    if (task_.holds_work()) instrumentation::add_pending_work(task, 1);
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
  instrumentation::task_handle task() const noexcept { return task_.handle(); }

  template <typename Property>
    requires boost::asio::can_query<const Executor&, Property>::value
  decltype(auto) query(const Property& property) const
      noexcept(boost::asio::is_nothrow_query<const Executor&, Property>::value) {
    return boost::asio::query(inner_, property);
  }

  template <typename Property>
    requires boost::asio::can_require<const Executor&, Property>::value
  auto require(const Property& property) const
      noexcept(boost::asio::is_nothrow_require<const Executor&, Property>::value) {
    return derive(boost::asio::require(inner_, property));
  }

  template <typename Property>
    requires boost::asio::can_prefer<const Executor&, Property>::value
  auto prefer(const Property& property) const
      noexcept(boost::asio::is_nothrow_prefer<const Executor&, Property>::value) {
    return derive(boost::asio::prefer(inner_, property));
  }

  template <typename Function>
  [[gnu::always_inline]] void execute(Function&& function) const {
    using polled = detail::polled_function<std::decay_t<Function>>;
    const instrumentation::task_handle task = this->task();
    instrumentation::task_record* record = task.live();
    if (record == nullptr) {
      inner_.execute(std::forward<Function>(function));
      return;
    }
    const bool never_blocks = detail::never_blocks(inner_);
    instrumentation::ticks stamp = instrumentation::task_record::not_a_wake;
    if (instrumentation::current_task() == record) {
      // From inside the task's own poll: a "never" execution is a yield; anything else runs nested,
      // and if the inner executor runs it right here it is simply part of this poll.
      if (never_blocks) {
        stamp = instrumentation::record_wake(task, /*from_own_poll=*/true, /*runs_inline=*/false);
      } else if (detail::runs_inline_here(inner_)) {
        instrumentation::detail::task_resumes_inline();
        inner_.execute(std::forward<Function>(function));
        return;
      }
    } else {
      stamp = instrumentation::record_wake(task, /*from_own_poll=*/false,
                                           /*runs_inline=*/!never_blocks && detail::runs_inline_here(inner_));
    }
    inner_.execute(polled{std::forward<Function>(function), task, stamp});
  }

  friend bool operator==(const task_executor& a, const task_executor& b) noexcept {
    return a.task() == b.task() && a.inner_ == b.inner_;
  }
  friend bool operator!=(const task_executor& a, const task_executor& b) noexcept { return !(a == b); }

 private:
  template <typename>
  friend class task_executor;

  task_executor(Executor inner, instrumentation::task_handle task, bool acquires_work) noexcept
      : inner_(std::move(inner)), task_(task, acquires_work && task.record != nullptr) {
    if (task_.holds_work()) instrumentation::add_pending_work(task, 1);
  }

  // The executor for a property of the inner one: it holds a unit of pending work when the
  // property starts tracking work here (an operation taking work for the handler it will resume).
  template <typename Derived>
  task_executor<std::decay_t<Derived>> derive(Derived&& derived) const noexcept {
    const bool acquires_work = !detail::tracks_work(inner_) && detail::tracks_work(derived);
    return task_executor<std::decay_t<Derived>>(std::forward<Derived>(derived), task(), acquires_work);
  }

  // False at compile time for an untracked io_context executor: its moves and destruction skip the bit.
  bool may_hold_work() const noexcept { return detail::tracks_work(inner_); }
  void release_work() noexcept {
    if (may_hold_work() && task_.holds_work()) instrumentation::add_pending_work(task_.handle(), -1);
  }

  Executor inner_;
  detail::work_holding_handle task_;
};

// The size this header promises: any_io_executor stores up to 24 bytes inline.
static_assert(sizeof(task_executor<boost::asio::io_context::executor_type>) == 24,
              "task_executor around io_context's executor must fit any_io_executor's inline storage");

}  // namespace asio_console

#endif  // ASIO_CONSOLE_DISABLE
