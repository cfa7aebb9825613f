// Checks a bind address before gRPC sees it, so that mistakes get a sentence, not a gRPC log line.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace asio_console::server_internal {

struct bind_address {
  std::string grpc_uri;   // what grpc::ServerBuilder takes
  std::string unix_path;  // non-empty for unix sockets
  bool loopback = false;  // 127.0.0.0/8, ::1, localhost, or a unix socket
};

/// Parses "host:port", "[v6]:port" or "unix:/path". Port must be 0..65535.
absl::StatusOr<bind_address> parse_bind_address(std::string_view text);

}  // namespace asio_console::server_internal
