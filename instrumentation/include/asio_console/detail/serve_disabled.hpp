// asio_console::serve with ASIO_CONSOLE_DISABLE: the same names, serving nothing. They live in an
// inline namespace, so that a program that still links the server library never mixes the two.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace asio_console {
inline namespace disabled {

struct serve_options {
  std::string bind = "127.0.0.1:6669";
  bool allow_remote = false;
  absl::Duration publish_interval = absl::Seconds(1);
  std::size_t watcher_buffer_bytes = 32u << 20;
  std::size_t max_message_bytes = 1u << 20;
  absl::Duration stall_timeout = absl::Seconds(30);
  std::size_t max_streams_per_connection = 8;
  std::size_t max_streams = 64;
  std::size_t max_request_bytes = 64u << 10;
  std::string metrics_bind;
  std::size_t metrics_top_sites = 20;

  static serve_options from_environment(std::vector<std::string>&) { return {}; }
};

class server {
 public:
  bool ok() const noexcept { return true; }
  const absl::Status& status() const noexcept {
    static const absl::Status ok_status;
    return ok_status;
  }
  const std::string& address() const noexcept { return address_; }
  const std::string& metrics_address() const noexcept { return address_; }
  void stop() {}

 private:
  std::string address_;
};

inline server serve(serve_options = {}) { return {}; }

}  // namespace disabled
}  // namespace asio_console
