#include "bind_address.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <cctype>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "unix_socket.hpp"

namespace asio_console::server_internal {
namespace {

absl::Status invalid(const std::string& text, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("bad bind address '", text, "': ", why,
                                                 " (expected host:port, [v6]:port or unix:/path)"));
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

bool is_ip_or_name(const std::string& host) {
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1 || inet_pton(AF_INET6, host.c_str(), &v6) == 1) return true;
  if (host.empty()) return false;
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.')) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<bind_address> parse_bind_address(std::string_view input) {
  const std::string address(input);
  const std::string& text = address;
  if (absl::StartsWith(address, "unix:")) {
    const std::string path = address.substr(5);
    if (path.empty() || path.front() != '/') return invalid(text, "a unix socket needs an absolute path");
    absl::StatusOr<std::string> decoded = percent_decoded(path);  // as gRPC reads it
    if (!decoded.ok()) return invalid(text, std::string(decoded.status().message()));
    if (decoded->size() >= max_unix_path_bytes + 1) {
      return invalid(text, absl::StrCat("a unix socket's path is at most ", max_unix_path_bytes, " bytes (this one has ",
                                        decoded->size(), "): no client could connect to it"));
    }
    return bind_address{address, *std::move(decoded), true, "", 0};
  }
  std::string host, port_text;
  if (absl::StartsWith(address, "[")) {
    const auto close = address.find("]:");
    if (close == std::string::npos) return invalid(text, "unclosed [ or missing port");
    host = address.substr(1, close - 1);
    port_text = address.substr(close + 2);
  } else {
    const auto colon = address.rfind(':');
    if (colon == std::string::npos) return invalid(text, "missing port");
    host = address.substr(0, colon);
    port_text = address.substr(colon + 1);
    if (host.find(':') != std::string::npos) return invalid(text, "write IPv6 addresses as [addr]:port");
  }
  int port = -1;
  if (!absl::SimpleAtoi(port_text, &port) || port < 0 || port > 65535) {
    return invalid(text, absl::StrCat("port '", port_text, "' is not a number from 0 to 65535"));
  }
  if (!is_ip_or_name(host)) return invalid(text, absl::StrCat("'", host, "' is not a host name or IP address"));
  const std::string uri = host.find(':') != std::string::npos ? absl::StrCat("[", host, "]:", port)
                                                              : absl::StrCat(host, ":", port);
  return bind_address{uri, "", is_loopback_host(host), host, port};
}

absl::StatusOr<listening_addresses> resolve_for_listening(const bind_address& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = absl::StrCat(address.port);
  if (const int failed = ::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found); failed != 0) {
    return absl::UnavailableError(absl::StrCat("cannot resolve ", address.host, ": ", ::gai_strerror(failed)));
  }
  return listening_addresses(found);
}

absl::Status check_port_free(const bind_address& address, std::string_view shown_as) {
  if (!address.unix_path.empty() || address.port == 0) return absl::OkStatus();
  absl::StatusOr<listening_addresses> found = resolve_for_listening(address);
  if (!found.ok()) return absl::OkStatus();  // gRPC says why
  bool in_use = false;
  for (const addrinfo* a = found->get(); a != nullptr && !in_use; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);  // as gRPC binds
    in_use = ::bind(fd, a->ai_addr, a->ai_addrlen) != 0 && errno == EADDRINUSE;
    ::close(fd);
  }
  if (!in_use) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat("cannot listen on ", std::string(shown_as), ": the address is in use"));
}

}  // namespace asio_console::server_internal
