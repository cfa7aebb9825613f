// A console's unix socket, bound so that no other user can ever connect and no live server is
// taken over: gRPC itself replaces whatever file is at the path and binds with the umask's mode.
//
// The socket is bound inside a fresh 0700 directory next to the path, made 0600, then renamed
// onto the path: it never exists where others could reach it with another mode. A path a live
// server answers on is refused ("in use"); a stale socket (nobody answers) is replaced; anything
// that is not a socket is left alone and refused.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace asio_console::server_internal {

/// "%2E" -> "." as gRPC reads unix: URIs; an error names a malformed escape.
absl::StatusOr<std::string> percent_decoded(const std::string& text);

class unix_socket_binding {
 public:
  /// Checks `path` (decoded) and makes the private directory to bind in.
  static absl::StatusOr<unix_socket_binding> prepare(const std::string& path);
  unix_socket_binding(unix_socket_binding&& other) noexcept;
  unix_socket_binding& operator=(unix_socket_binding&&) = delete;
  ~unix_socket_binding();  // removes the socket if it is still ours, or the unused directory

  /// The URI gRPC binds: a socket inside the private directory.
  std::string grpc_uri() const;
  /// After gRPC bound: sets the mode to 0600 and moves the socket onto the path.
  absl::Status place();

 private:
  unix_socket_binding(std::string path, std::string directory) : path_(std::move(path)), directory_(std::move(directory)) {}

  std::string path_;       // where consoles connect
  std::string directory_;  // 0700; empty once the socket is placed, or moved from
  bool placed_ = false;
  unsigned long long placed_inode_ = 0;  // to remove only our own socket at the end
};

}  // namespace asio_console::server_internal
