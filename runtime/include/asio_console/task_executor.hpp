// asio_console::task_executor<Executor>: the executor every instrumented task runs on.
//
// A small value (the inner executor plus a 16-byte task handle; 24 bytes around
// io_context::executor_type, which any_io_executor stores without allocating) that forwards every
// property to the inner executor and accounts each execution of the task's coroutine: wakes, polls,
// busy and scheduled time. It takes no lock and allocates nothing beyond what the inner executor
// does. Copies that outlive the task (an I/O object built from `co_await this_coro::executor`) turn
// into plain forwarding once the task has finished. Copies that hold outstanding work (what a
// pending Asio operation keeps for the handler it will resume) are counted as the task's pending
// work: an idle task with none has nothing inside Asio that can wake it.
//
// You rarely name it: asio_console::co_spawn creates it, and `co_await this_coro::executor` returns
// an any_io_executor whose target() is a task_executor. Code that asks that any_io_executor for
// another target type (a strand, say) sees the wrapper instead.
#pragma once

#include <boost/asio/execution.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>
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
      : inner_(std::move(inner)), task_(task) {
    count_work(1);
  }
  task_executor(const task_executor& other) noexcept : inner_(other.inner_), task_(other.task_) { count_work(1); }
  task_executor(task_executor&& other) noexcept : inner_(std::move(other.inner_)), task_(other.task_) {
    if (holds_work()) other.task_.record = nullptr;  // the counted work moves along
  }
  task_executor& operator=(const task_executor& other) noexcept {
    if (this != &other) {
      count_work(-1);
      inner_ = other.inner_;
      task_ = other.task_;
      count_work(1);
    }
    return *this;
  }
  task_executor& operator=(task_executor&& other) noexcept {
    if (this != &other) {
      count_work(-1);
      inner_ = std::move(other.inner_);
      task_ = other.task_;
      if (holds_work()) other.task_.record = nullptr;
    }
    return *this;
  }
  ~task_executor() { count_work(-1); }

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
      // From inside the task's own poll: a "never" execution is a yield; anything else runs nested,
      // and if the inner executor runs it right here it is simply part of this poll.
      if (never_blocks) {
        stamp = instrumentation::record_wake(task_, /*from_own_poll=*/true, /*runs_inline=*/false);
      } else if (detail::runs_inline_here(inner_)) {
        inner_.execute(std::forward<Function>(function));
        return;
      }
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
  // Whether this copy keeps the inner executor's outstanding work (a pending operation's executor
  // does): such copies are counted as the task's pending work. Decided at compile time for an
  // io_context executor.
  bool holds_work() const noexcept {
    namespace execution = boost::asio::execution;
    if constexpr (boost::asio::can_query<const Executor&, execution::outstanding_work_t>::value) {
      return boost::asio::query(inner_, execution::outstanding_work) == execution::outstanding_work.tracked;
    } else {
      return false;
    }
  }
  void count_work(std::int64_t delta) const noexcept {
    if (holds_work() && task_.record != nullptr) instrumentation::add_pending_work(task_, delta);
  }

  Executor inner_;
  instrumentation::task_handle task_;
};

}  // namespace asio_console
