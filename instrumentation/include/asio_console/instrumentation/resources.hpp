// The I/O objects tasks wait on, in deep mode (CMake: asio_console::deep; see
// asio_console/deep/handler_tracking.hpp): every timer, socket, acceptor, channel, signal set,
// descriptor or resolver a task has started an operation on, with its operations counted.
//
// A socket or descriptor is known by its file descriptor: moving the Asio object keeps the
// resource, and its close (or release, or destruction) ends it. Asio tells nothing when a timer,
// channel, signal set or resolver is destroyed: such a resource is known by its address and ends
// when no operation has been pending on it for the retention time (recorder_options::retention).
// Ended resources are kept like finished tasks: for the retention time, and at most
// `max_retained_resources` of them (the oldest go first), so neither a million pending operations
// nor 10,000 sockets opened and closed a second grow memory past what the live objects take.
//
// Empty in a program built without deep mode. Taking the list locks each shard of the table in
// turn; starting and ending operations wait for that, nothing else does. The endpoints of sockets
// are read here (getsockname, getpeername), on the caller's thread, never on the application's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asio_console::instrumentation {

struct resource {
  std::uint64_t id = 0;  // pending_operation::object_id of its operations; never reused
  std::string_view kind;  // "deadline_timer", "socket", "acceptor", ... (a string literal)
  std::optional<std::uint64_t> native_handle;  // the file descriptor of a socket or descriptor
  // A socket's endpoints ("127.0.0.1:5000", "[::1]:443", a unix path); empty while unknown.
  std::string local;
  std::string remote;
  std::uint64_t ops_started = 0;
  std::uint32_t pending_ops = 0;
  std::int64_t created_ns = 0;     // steady_clock nanoseconds: its first operation
  std::int64_t idle_since_ns = 0;  // when its last pending operation ended; 0 while one is pending
  std::int64_t closed_ns = 0;      // when it ended; 0 while it lives
};

/// Ended resources kept at most (the newest are kept).
inline constexpr std::size_t max_retained_resources = 10'000;

/// Every live resource and every ended one still retained, in no particular order (sorting a
/// million of them would cost a publication more than copying them).
std::vector<resource> resources();

}  // namespace asio_console::instrumentation
