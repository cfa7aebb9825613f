// The adapter part for an Asio whose internals were not checked (newer than the newest checked,
// or between checked versions): only Asio's public interface. Tasks are launched by
// net::co_spawn itself, so every task is recorded (states, times, sites, spawn stacks, parents),
// but the recorder is not told where a task's coroutine frames are (no await stacks), and a task
// on a strand runs on the generic task_executor (a larger wrapper: any_io_executor allocates
// when it is copied). The recorder says so once (instrumentation/capabilities.hpp). Chosen by
// internals.hpp; not for direct use.
#pragma once

#include <utility>

#include "asio_console/detail/asio/flavor.hpp"
#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console::detail::asio_internals {

inline constexpr bool frames_checked = false;
inline constexpr bool strand_checked = false;

/// Starts the coroutine `function` returns as the task `task`, on `executor`, completing with
/// `handler`, through net::co_spawn.
template <typename Executor, typename Function, typename Handler>
void launch_task(const Executor& executor, Function&& function, Handler&& handler,
                 const instrumentation::task_handle& task) {
  const instrumentation::launch_scope launching(task);  // co_spawn's work guards are not pending work
  net::co_spawn(executor, std::forward<Function>(function), std::forward<Handler>(handler));
}

}  // namespace asio_console::detail::asio_internals
