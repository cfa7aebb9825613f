// The metrics endpoint's HTTP server: GET /metrics for Prometheus, which no client can block.
//
// One thread waits on every connection at once (epoll), so an idle or slow client holds no worker:
// each connection has a deadline to send its request head and another to read the answer, a
// request head over max_request_bytes is refused, and at max_connections the connection that has
// waited longest is closed to make room. Every answer closes its connection. It shares nothing
// with the application's Asio (a deep-mode build changes what Asio's operations are), and never
// runs the application's code: only `render`.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "bind_address.hpp"

namespace asio_console::server_internal {

struct metrics_http_limits {
  std::chrono::milliseconds request_timeout{5000};  // to send the request head, from the connect
  std::chrono::milliseconds response_timeout{10000};  // to read the whole answer
  std::chrono::milliseconds drain_timeout{1000};  // to close once answered
  std::size_t max_connections = 128;
  std::size_t max_request_bytes = 8192;
};

class metrics_http_server {
 public:
  /// Listens on `address` (TCP, IPv4 or IPv6; port 0 picks one) and answers GET /metrics with
  /// render() (Prometheus's text format). The error says why it could not listen.
  static absl::StatusOr<std::unique_ptr<metrics_http_server>> start(const bind_address& address,
                                                                    std::function<std::string()> render,
                                                                    metrics_http_limits limits = {});
  /// Stops: waits for an answer being rendered, closes every connection.
  ~metrics_http_server();
  metrics_http_server(const metrics_http_server&) = delete;
  metrics_http_server& operator=(const metrics_http_server&) = delete;

  int port() const noexcept { return port_; }

 private:
  // A connection reads its request head, writes its answer, then reads (and drops) whatever the
  // client still sends until it closes, so that closing never resets an answer not yet read.
  enum class phase { request, answer, drain };
  struct connection {
    phase now = phase::request;
    std::string request;  // the head read so far
    std::string answer;   // what is left to write
    std::chrono::steady_clock::time_point deadline;
  };

  metrics_http_server(int listener, int port, std::function<std::string()> render, metrics_http_limits limits);
  void run();
  void accept_all(std::chrono::steady_clock::time_point now);
  void on_ready(int fd, std::uint32_t events, std::chrono::steady_clock::time_point now);
  void read_request(int fd, connection& c, std::chrono::steady_clock::time_point now);
  void write_answer(int fd, connection& c, std::chrono::steady_clock::time_point now);
  void drain(int fd);
  void answer(int fd, connection& c, std::chrono::steady_clock::time_point now);
  void close_connection(int fd);
  void close_expired(std::chrono::steady_clock::time_point now);
  int wait_ms(std::chrono::steady_clock::time_point now) const;

  int listener_ = -1;
  int port_ = 0;
  int epoll_ = -1;
  int wake_ = -1;  // an eventfd: written by the destructor to stop the thread
  std::function<std::string()> render_;
  metrics_http_limits limits_;
  absl::flat_hash_map<int, connection> connections_;
  std::chrono::steady_clock::time_point accept_paused_until_{};  // out of file descriptors
  std::thread thread_;
};

}  // namespace asio_console::server_internal
