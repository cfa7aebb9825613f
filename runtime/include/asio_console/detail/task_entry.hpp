// How asio_console::co_spawn ends a task's record exactly once, whatever happens to the coroutine.
//
// boost::asio::co_spawn copies the function it is given into the entry-point coroutine's frame and
// calls it there. task_entry is that function: it owns a task_lifetime, so the record ends when the
// frame dies even if the coroutine never ran or was destroyed suspended (~io_context), and it wraps
// the user's awaitable in run_task, which ends the record with the way the coroutine exited.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>
#include <type_traits>
#include <utility>

#include "asio_console/instrumentation/registry.hpp"

namespace asio_console::detail {

class task_lifetime {
 public:
  explicit task_lifetime(instrumentation::task_handle task) noexcept : task_(task) {}
  task_lifetime(task_lifetime&& other) noexcept : task_(std::exchange(other.task_, {})) {}
  task_lifetime& operator=(task_lifetime&&) = delete;
  ~task_lifetime() { end(instrumentation::task_outcome::dropped); }

  /// The task's body starts: what co_spawn holds for the task from now on is not pending work.
  void started() const noexcept { instrumentation::start_pending_work(task_); }

  /// Ends the record with `outcome` unless it already ended.
  void end(instrumentation::task_outcome outcome) noexcept {
    if (task_.record != nullptr) {
      instrumentation::registry::instance().finish(task_, outcome);
      task_ = {};
    }
  }

 private:
  instrumentation::task_handle task_;
};

template <typename T, typename Executor>
boost::asio::awaitable<T, Executor> run_task(boost::asio::awaitable<T, Executor> body, task_lifetime* lifetime) {
  using instrumentation::task_outcome;
  lifetime->started();
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(body);
      lifetime->end(task_outcome::completed);
    } else {
      T result = co_await std::move(body);
      lifetime->end(task_outcome::completed);
      co_return result;
    }
  } catch (const boost::system::system_error& error) {
    lifetime->end(error.code() == boost::asio::error::operation_aborted ? task_outcome::cancelled
                                                                         : task_outcome::failed);
    throw;
  } catch (...) {
    lifetime->end(task_outcome::failed);
    throw;
  }
}

template <typename Function>
struct task_entry {
  Function function;
  task_lifetime lifetime;

  auto operator()() { return run_task(function(), &lifetime); }
};

}  // namespace asio_console::detail
