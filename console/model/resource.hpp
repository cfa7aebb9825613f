// An I/O object the process's tasks start operations on (deep mode: Update.resources): a timer,
// socket, acceptor, channel, signal set, descriptor or resolver.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace asio_console::console {

struct resource {
  std::uint64_t id = 0;  // what its operations name as object_id
  std::string kind;
  std::optional<std::uint64_t> native_handle;  // a socket's or a descriptor's file descriptor
  std::string local;   // a socket's endpoints; empty while unknown
  std::string remote;
  std::uint64_t ops_started = 0;
  std::uint32_t pending_ops = 0;
  std::int64_t created_ns = 0;     // process time of its first operation
  std::int64_t idle_since_ns = 0;  // 0 while an operation is pending
  std::int64_t closed_ns = 0;      // 0 while open

  bool closed() const noexcept { return closed_ns != 0; }
  /// How long no operation has been pending on it at `now_ns`; 0 while one is, or once closed.
  std::int64_t idle_for_ns(std::int64_t now_ns) const noexcept {
    return pending_ops == 0 && !closed() && idle_since_ns != 0 && now_ns > idle_since_ns ? now_ns - idle_since_ns : 0;
  }
};

}  // namespace asio_console::console
