// What asio_console needs of Asio's coroutine frames, in one place, pinned to the Asio it was
// written against so that an upgrade fails to compile here rather than misreading memory:
//
// - launch_task: what boost::asio::co_spawn's initiation does (Asio's own entry point, cancellation
//   slot and launch), plus telling the recorder where the task's top-of-stack pointer lives before
//   the entry point first runs (instrumentation/await_stacks.hpp walks the frames from there);
// - compile-time checks that Asio's frames have the layout the recorder reads.
//
// Asio befriends every specialization of its awaitable_thread class template; the one specialized
// here, for a type of ours, only reads one address.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/version.hpp>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "asio_console/instrumentation/await_stacks.hpp"

static_assert(BOOST_ASIO_VERSION == 102600,
              "asio-console reads the coroutine frames of Asio 1.26 (Boost 1.81); check "
              "runtime/include/asio_console/detail/coroutine_frames.hpp against this Asio before using it");

namespace asio_console::detail {
struct coroutine_frame_access {};
}  // namespace asio_console::detail

template <>
class boost::asio::detail::awaitable_thread<asio_console::detail::coroutine_frame_access> {
 public:
  /// The address of the pointer to the innermost frame, in the entry-point frame `entry` owns.
  template <typename Executor>
  static const void* top_of_stack_address(const awaitable<awaitable_thread_entry_point, Executor>& entry) noexcept {
    static_assert(std::is_same_v<decltype(entry.frame_->top_of_stack_), awaitable_frame_base<Executor>*>);
    return &entry.frame_->top_of_stack_;
  }
};

namespace asio_console::detail {

// Offsets of the members a walk reads, taken from inside a class derived from Asio's frame base
// (they are protected).
template <typename Executor>
struct frame_layout_of : boost::asio::detail::awaitable_frame_base<Executor> {
  static constexpr bool matches_recorder() {
    using layout = instrumentation::coroutine_frame_layout;
    return std::is_standard_layout_v<frame_layout_of> &&
           sizeof(boost::asio::detail::coroutine_handle<void>) == sizeof(void*) &&
           std::is_pointer_v<decltype(frame_layout_of::caller_)> &&
           std::is_pointer_v<decltype(frame_layout_of::attached_thread_)> &&
           offsetof(frame_layout_of, coro_) == layout::coroutine_handle_offset &&
           offsetof(frame_layout_of, attached_thread_) == layout::attached_thread_offset &&
           offsetof(frame_layout_of, caller_) == layout::caller_offset;
  }
};

/// Starts the coroutine `function` returns as the task `task`, on `executor`, completing with
/// `handler`: boost::asio::detail::initiate_co_spawn, step for step, with the await anchor noted.
template <typename Executor, typename Function, typename Handler>
void launch_task(const Executor& executor, Function&& function, Handler&& handler,
                 const instrumentation::task_handle& task) {
  namespace asio = boost::asio;
  static_assert(frame_layout_of<Executor>::matches_recorder(),
                "Asio's awaitable_frame_base does not have the layout instrumentation/await_stacks.hpp reads");
  using awaitable_type = std::invoke_result_t<std::decay_t<Function>&>;
  using cancel_handler_type = asio::detail::co_spawn_cancellation_handler<std::decay_t<Handler>, Executor>;

  auto slot = asio::get_associated_cancellation_slot(handler);
  cancel_handler_type* cancel_handler =
      slot.is_connected() ? &slot.template emplace<cancel_handler_type>(handler, executor) : nullptr;
  asio::cancellation_slot proxy_slot(cancel_handler ? cancel_handler->slot() : asio::cancellation_slot());
  asio::cancellation_state cancel_state(proxy_slot);

  auto entry = (asio::detail::co_spawn_entry_point)(static_cast<awaitable_type*>(nullptr), executor,
                                                    std::forward<Function>(function), std::forward<Handler>(handler));
  instrumentation::set_await_anchor(
      task, asio::detail::awaitable_thread<coroutine_frame_access>::top_of_stack_address(entry));
  const instrumentation::launch_scope launching(task);  // co_spawn's work guards are not pending work
  asio::detail::awaitable_handler<Executor, void>(std::move(entry), executor, proxy_slot, cancel_state).launch();
}

}  // namespace asio_console::detail
