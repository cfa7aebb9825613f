// The adapter part for Asio 1.26 (Boost 1.81): co_spawn's launch, as
// net::detail::initiate_co_spawn does it in this version, with the task's await anchor noted
// before the entry point first runs. Chosen by internals.hpp; not for direct use.
#pragma once

#include <type_traits>
#include <utility>

#include "asio_console/detail/asio/checked_launch.hpp"
#include "asio_console/detail/asio/flavor.hpp"
#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console::detail::asio_internals {

inline constexpr bool frames_checked = true;
inline constexpr bool strand_checked = true;

/// Starts the coroutine `function` returns as the task `task`, on `executor`, completing with
/// `handler`: Asio 1.26's initiate_co_spawn (its entry point takes the executor, the function and
/// the handler).
template <typename Executor, typename Function, typename Handler>
void launch_task(const Executor& executor, Function&& function, Handler&& handler,
                 const instrumentation::task_handle& task) {
  using awaitable_type = std::invoke_result_t<std::decay_t<Function>&>;
  launch_entry_point(executor, std::forward<Handler>(handler), task, [&]<typename H>(H&& moved_handler) {
    return (net::detail::co_spawn_entry_point)(static_cast<awaitable_type*>(nullptr), executor,
                                               std::forward<Function>(function), std::forward<H>(moved_handler));
  });
}

}  // namespace asio_console::detail::asio_internals
