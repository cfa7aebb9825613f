// asio_console::task_executor<Executor>: the executor every instrumented task runs on.
//
// A small value (the inner executor plus a 16-byte task handle; 24 bytes around
// io_context::executor_type, which any_io_executor stores without allocating) that forwards every
// property to the inner executor and accounts each execution of the task's coroutine: wakes, polls,
// busy and scheduled time. It takes no lock and allocates nothing beyond what the inner executor
// does. Copies that outlive the task (an I/O object built from `co_await this_coro::executor`) turn
// into plain forwarding once the task has finished.
//
// You rarely name it: asio_console::co_spawn creates it, and `co_await this_coro::executor` returns
// an any_io_executor whose target() is a task_executor. Code that asks that any_io_executor for
// another target type (a strand, say) sees the wrapper instead.
#pragma once

#include <boost/asio/execution.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>
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

template <typename Executor>
bool never_blocks(const Executor& executor) noexcept {
  namespace execution = boost::asio::execution;
  if constexpr (boost::asio::can_query<const Executor&, execution::blocking_t>::value) {
    return boost::asio::query(executor, execution::blocking) == execution::blocking.never;
  } else {
    return false;
  }
}

template <typename Executor>
bool runs_inline_here(const Executor& executor) noexcept {
  if constexpr (requires { { executor.running_in_this_thread() } -> std::convertible_to<bool>; }) {
    return executor.running_in_this_thread();
  } else {
    return false;
  }
}

}  // namespace detail

template <typename Executor>
class task_executor {
 public:
  using inner_executor_type = Executor;

  task_executor(Executor inner, instrumentation::task_handle task) noexcept
      : inner_(std::move(inner)), task_(task) {}
  task_executor(const task_executor&) noexcept = default;
  task_executor(task_executor&&) noexcept = default;
  task_executor& operator=(const task_executor&) noexcept = default;
  task_executor& operator=(task_executor&&) noexcept = default;

  const Executor& inner_executor() const noexcept { return inner_; }
  instrumentation::task_handle task() const noexcept { return task_; }

  template <typename Property>
    requires boost::asio::can_query<const Executor&, Property>::value
  decltype(auto) query(const Property& property) const
      noexcept(boost::asio::is_nothrow_query<const Executor&, Property>::value) {
    return boost::asio::query(inner_, property);
  }

  template <typename Property>
    requires boost::asio::can_require<const Executor&, Property>::value
  auto require(const Property& property) const
      noexcept(boost::asio::is_nothrow_require<const Executor&, Property>::value)
          -> task_executor<std::decay_t<typename boost::asio::require_result<const Executor&, Property>::type>> {
    return {boost::asio::require(inner_, property), task_};
  }

  template <typename Property>
    requires boost::asio::can_prefer<const Executor&, Property>::value
  auto prefer(const Property& property) const
      noexcept(boost::asio::is_nothrow_prefer<const Executor&, Property>::value)
          -> task_executor<std::decay_t<typename boost::asio::prefer_result<const Executor&, Property>::type>> {
    return {boost::asio::prefer(inner_, property), task_};
  }

  template <typename Function>
  void execute(Function&& function) const {
    using polled = detail::polled_function<std::decay_t<Function>>;
    instrumentation::task_record* record = task_.live();
    if (record == nullptr) {
      inner_.execute(std::forward<Function>(function));
      return;
    }
    const bool never_blocks = detail::never_blocks(inner_);
    instrumentation::ticks stamp = instrumentation::task_record::not_a_wake;
    if (instrumentation::current_task() == record) {
      // From inside the task's own poll: a "never" execution is a yield; anything else runs nested.
      if (never_blocks) stamp = instrumentation::record_wake(task_, /*from_own_poll=*/true, /*runs_inline=*/false);
    } else {
      stamp = instrumentation::record_wake(task_, /*from_own_poll=*/false,
                                           /*runs_inline=*/!never_blocks && detail::runs_inline_here(inner_));
    }
    inner_.execute(polled{std::forward<Function>(function), task_, stamp});
  }

  friend bool operator==(const task_executor& a, const task_executor& b) noexcept {
    return a.task_ == b.task_ && a.inner_ == b.inner_;
  }
  friend bool operator!=(const task_executor& a, const task_executor& b) noexcept { return !(a == b); }

 private:
  Executor inner_;
  instrumentation::task_handle task_;
};

}  // namespace asio_console
