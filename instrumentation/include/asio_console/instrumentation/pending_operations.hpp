// The Asio operations tasks wait on, in deep mode (CMake: asio_console::deep; see
// asio_console/deep/handler_tracking.hpp): every operation a task's poll started on an I/O object
// (a timer, socket, acceptor, channel, signal set, descriptor or resolver) that Asio has not
// completed, cancelled or dropped yet. Scheduling a task's own resumption (an executor's post or
// execute) is not an operation here: that is the task's `scheduled` state.
//
// Empty in a program built without deep mode. Taking the list locks each shard of it in turn:
// starting and ending operations wait for that, nothing else does.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace asio_console::instrumentation {

struct pending_operation {
  std::uint64_t task_id = 0;
  // Asio's names (string literals: valid for the program's life).
  std::string_view operation;    // "async_wait", "async_receive", "async_accept", ...
  std::string_view object_kind;  // "deadline_timer", "socket", "acceptor", "channel", "signal_set", ...
  std::uint64_t object_id = 0;  // the same for every operation on one object while it lives
  std::optional<std::uint64_t> native_handle;  // the file descriptor of a socket or descriptor
  std::int64_t since_ns = 0;  // steady_clock nanoseconds: when the task started it
};

/// Every pending operation, by task id, oldest first within a task.
std::vector<pending_operation> pending_operations();

/// Whether any translation unit of this program was built in deep mode.
bool deep_mode() noexcept;

}  // namespace asio_console::instrumentation
