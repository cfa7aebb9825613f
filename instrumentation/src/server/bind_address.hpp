// Checks a bind address before gRPC sees it, so that mistakes get a sentence, not a gRPC log line.
#pragma once

#include <netdb.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace asio_console::server_internal {

struct bind_address {
  std::string grpc_uri;   // what grpc::ServerBuilder takes
  std::string unix_path;  // non-empty for unix sockets: the file's path, %-escapes decoded
  bool loopback = false;  // 127.0.0.0/8, ::1, localhost, or a unix socket
  std::string host;       // TCP only
  int port = 0;
};

/// The longest path a unix socket address holds (sockaddr_un::sun_path, less its terminating NUL).
inline constexpr std::size_t max_unix_path_bytes = 107;

/// Parses "host:port", "[v6]:port" or "unix:/path". Port must be 0..65535; a unix path at most
/// max_unix_path_bytes long.
absl::StatusOr<bind_address> parse_bind_address(std::string_view text);

/// The socket addresses a TCP address names to listen on (getaddrinfo, passive: every family the
/// host resolves to), or why it names none.
struct addrinfo_deleter {
  void operator()(addrinfo* list) const { ::freeaddrinfo(list); }
};
using listening_addresses = std::unique_ptr<addrinfo, addrinfo_deleter>;
absl::StatusOr<listening_addresses> resolve_for_listening(const bind_address& address);

/// For a TCP address with a port: an error saying it is in use if a socket cannot bind it now
/// (as gRPC would bind it), so that the caller says so before gRPC logs its own lines. Else OK.
absl::Status check_port_free(const bind_address& address, std::string_view shown_as);

}  // namespace asio_console::server_internal
