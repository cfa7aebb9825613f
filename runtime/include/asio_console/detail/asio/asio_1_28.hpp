// The adapter part for Asio 1.28 to 1.38 (Boost 1.83 to 1.90, standalone Asio 1.28 to 1.38):
// co_spawn's launch, as net::detail::initiate_co_spawn does it in these versions (the entry point
// takes a co_spawn_state holding the handler, the work guards and the function), with the task's
// await anchor noted before the entry point first runs. Chosen by internals.hpp; not for direct use.
#pragma once

#include <type_traits>
#include <utility>

#include "asio_console/detail/asio/coroutine_frames.hpp"
#include "asio_console/detail/asio/flavor.hpp"
#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console::detail::asio_internals {

inline constexpr bool frames_checked = true;
inline constexpr bool strand_checked = true;

// task_executor.hpp's sizes are chosen to fit any_io_executor's inline buffer.
static_assert(sizeof(net::execution::detail::any_executor_base::object_type) == 3 * sizeof(void*),
              "any_io_executor's inline buffer is not the 24 bytes task_executor is sized for");

/// Starts the coroutine `function` returns as the task `task`, on `executor`, completing with
/// `handler`: initiate_co_spawn of these versions, step for step, with the await anchor noted.
template <typename Executor, typename Function, typename Handler>
void launch_task(const Executor& executor, Function&& function, Handler&& handler,
                 const instrumentation::task_handle& task) {
  using awaitable_type = std::invoke_result_t<std::decay_t<Function>&>;
  using handler_type = std::decay_t<Handler>;
  using state_type = net::detail::co_spawn_state<handler_type, Executor, std::decay_t<Function>>;
  using cancel_handler_type = net::detail::co_spawn_cancellation_handler<handler_type, Executor>;

  auto slot = net::get_associated_cancellation_slot(handler);
  cancel_handler_type* cancel_handler =
      slot.is_connected() ? &slot.template emplace<cancel_handler_type>(handler, executor) : nullptr;
  net::cancellation_slot proxy_slot(cancel_handler ? cancel_handler->slot() : net::cancellation_slot());
  net::cancellation_state cancel_state(proxy_slot);

  // The state's work guards are co_spawn's own: not the task's pending work.
  const instrumentation::launch_scope launching(task);
  auto entry = (net::detail::co_spawn_entry_point)(
      static_cast<awaitable_type*>(nullptr),
      state_type(std::forward<Handler>(handler), executor, std::forward<Function>(function)));
  note_await_anchor(task, entry);
  net::detail::awaitable_handler<Executor, void>(std::move(entry), executor, proxy_slot, cancel_state).launch();
}

}  // namespace asio_console::detail::asio_internals
