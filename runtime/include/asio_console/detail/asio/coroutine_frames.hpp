// Asio's coroutine frames as the recorder reads them (instrumentation/await_stacks.hpp), for the
// Asio versions whose frames were checked: where a task's top-of-stack pointer lives, and
// compile-time checks that the frame base has the layout the recorder reads. Included by the
// adapter parts of checked versions only (asio_1_26.hpp, asio_1_28.hpp).
//
// Asio befriends every specialization of its awaitable_thread class template; the one specialized
// here, for a type of ours, only reads one address.
#pragma once

#include <cstddef>
#include <type_traits>

#include "asio_console/detail/asio/flavor.hpp"
#include "asio_console/instrumentation/await_stacks.hpp"

namespace asio_console::detail {
struct coroutine_frame_access {};
}  // namespace asio_console::detail

template <>
class asio_console::detail::net::detail::awaitable_thread<asio_console::detail::coroutine_frame_access> {
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
struct frame_layout_of : net::detail::awaitable_frame_base<Executor> {
  static constexpr bool matches_recorder() {
    using layout = instrumentation::coroutine_frame_layout;
    return std::is_standard_layout_v<frame_layout_of> && sizeof(net::detail::coroutine_handle<void>) == sizeof(void*) &&
           std::is_pointer_v<decltype(frame_layout_of::caller_)> &&
           std::is_pointer_v<decltype(frame_layout_of::attached_thread_)> &&
           offsetof(frame_layout_of, coro_) == layout::coroutine_handle_offset &&
           offsetof(frame_layout_of, attached_thread_) == layout::attached_thread_offset &&
           offsetof(frame_layout_of, caller_) == layout::caller_offset;
  }
};

/// Tells the recorder where `task`'s await stack is read from: the entry-point frame `entry` of a
/// task not yet launched.
template <typename Executor>
void note_await_anchor(const instrumentation::task_handle& task,
                       const net::awaitable<net::detail::awaitable_thread_entry_point, Executor>& entry) noexcept {
  static_assert(frame_layout_of<Executor>::matches_recorder(),
                "Asio's awaitable_frame_base does not have the layout instrumentation/await_stacks.hpp reads");
  instrumentation::set_await_anchor(task,
                                    net::detail::awaitable_thread<coroutine_frame_access>::top_of_stack_address(entry));
}

}  // namespace asio_console::detail
