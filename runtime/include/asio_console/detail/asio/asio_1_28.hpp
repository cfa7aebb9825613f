// The adapter part for Asio 1.28 to 1.38 (Boost 1.83 to 1.90, standalone Asio 1.28 to 1.38):
// co_spawn's launch, as net::detail::initiate_co_spawn does it in these versions (the entry point
// takes a co_spawn_state holding the handler, the work guards and the function), with the task's
// await anchor noted before the entry point first runs. Chosen by internals.hpp; not for direct use.
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
/// `handler`: initiate_co_spawn of these versions.
template <typename Executor, typename Function, typename Handler>
void launch_task(const Executor& executor, Function&& function, Handler&& handler,
                 const instrumentation::task_handle& task) {
  using awaitable_type = std::invoke_result_t<std::decay_t<Function>&>;
  using state_type = net::detail::co_spawn_state<std::decay_t<Handler>, Executor, std::decay_t<Function>>;
  launch_entry_point(executor, std::forward<Handler>(handler), task, [&]<typename H>(H&& moved_handler) {
    return (net::detail::co_spawn_entry_point)(static_cast<awaitable_type*>(nullptr),
                                               state_type(std::forward<H>(moved_handler), executor,
                                                          std::forward<Function>(function)));
  });
}

}  // namespace asio_console::detail::asio_internals
