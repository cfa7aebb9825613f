// What the adapter parts of checked Asio versions share (asio_1_26.hpp, asio_1_28.hpp): co_spawn's
// launch as their initiate_co_spawn does it, around an entry point each part makes its own way,
// with the task's await anchor noted before the entry point first runs; and the check of
// any_io_executor's inline buffer, which task_executor's sizes are chosen for. Not for direct use.
#pragma once

#include <type_traits>
#include <utility>

#include "asio_console/detail/asio/coroutine_frames.hpp"
#include "asio_console/detail/asio/flavor.hpp"
#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console::detail::asio_internals {

static_assert(sizeof(net::execution::detail::any_executor_base::object_type) == 3 * sizeof(void*),
              "any_io_executor's inline buffer is not the 24 bytes task_executor is sized for");

/// Launches the task `task` on `executor`, completing with `handler`: the cancellation slot and
/// state initiate_co_spawn makes, then the entry point `make_entry(handler)` returns, launched.
template <typename Executor, typename Handler, typename MakeEntry>
void launch_entry_point(const Executor& executor, Handler&& handler, const instrumentation::task_handle& task,
                        MakeEntry&& make_entry) {
  using cancel_handler_type = net::detail::co_spawn_cancellation_handler<std::decay_t<Handler>, Executor>;

  auto slot = net::get_associated_cancellation_slot(handler);
  cancel_handler_type* cancel_handler =
      slot.is_connected() ? &slot.template emplace<cancel_handler_type>(handler, executor) : nullptr;
  net::cancellation_slot proxy_slot(cancel_handler ? cancel_handler->slot() : net::cancellation_slot());
  net::cancellation_state cancel_state(proxy_slot);

  // The work guards co_spawn makes (in the entry point's state, or when it first runs) are its
  // own: not the task's pending work.
  const instrumentation::launch_scope launching(task);
  auto entry = std::forward<MakeEntry>(make_entry)(std::forward<Handler>(handler));
  note_await_anchor(task, entry);
  net::detail::awaitable_handler<Executor, void>(std::move(entry), executor, proxy_slot, cancel_state).launch();
}

}  // namespace asio_console::detail::asio_internals
