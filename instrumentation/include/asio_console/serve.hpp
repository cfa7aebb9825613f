// asio_console::serve: lets consoles attach to this process.
//
//   auto console = asio_console::serve();   // 127.0.0.1:6669, or ASIO_CONSOLE_BIND
//   ...                                      // the server stops when `console` is destroyed
//
// serve() starts a gRPC server (protocol asio_console.v1, with server reflection) on its own
// threads. It never blocks the application or makes it wait for a console: a console that reads
// slowly is sent a fresh snapshot when it catches up, or is cut off; memory per console is bounded.
// With no console attached the server does no work.
//
// With serve_options::metrics_bind it also serves Prometheus metrics (pull, on threads of its own).
//
// Errors (a bad address, an address in use, a non-loopback address without allow_remote) do not
// throw: they are printed as one line on stderr and returned in server::status(); the application
// keeps running, unobserved.
//
// Limits (serve_options) keep careless and hostile clients harmless: streams per connection and
// in all, request size, a stall cut-off, a handshake timeout; README's "Guarantees" lists them.
//
// In a child of fork() the server is inert: the child serves nothing, and stopping or destroying
// its copy returns at once without touching the parent's listener, socket or `ps` entry.
//
// With ASIO_CONSOLE_DISABLE (defined in every translation unit) the same code compiles and serves
// nothing: serve() returns a server whose ok() is true and whose address() is empty, and nothing
// of the server library is needed.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

#if defined(ASIO_CONSOLE_DISABLE)
#include "asio_console/detail/serve_disabled.hpp"
#else

namespace asio_console {

struct serve_options {
  /// Where consoles connect: "host:port" (port 0 picks a free one) or "unix:/path" (created with
  /// mode 0600).
  std::string bind = "127.0.0.1:6669";
  /// Binding to anything but loopback or a unix socket exposes task names and stacks to the
  /// network: it must be asked for explicitly, and is logged.
  bool allow_remote = false;
  /// How often changes are sent to consoles.
  absl::Duration publish_interval = absl::Seconds(1);
  /// Bytes of updates queued for one console before it is considered behind.
  std::size_t watcher_buffer_bytes = 32u << 20;
  /// Largest message sent; snapshots are split into chunks under it (gRPC's default limit is 4 MiB).
  std::size_t max_message_bytes = 1u << 20;
  /// A console that has not taken a message for this long (a write waits on it) is cut off and
  /// what gRPC buffered for it is freed, whatever else it does.
  absl::Duration stall_timeout = absl::Seconds(30);
  /// Streams (update and task-details watches) open at once from one client connection, and in
  /// all; one more is refused with RESOURCE_EXHAUSTED naming the limit. A console uses two.
  std::size_t max_streams_per_connection = 8;
  std::size_t max_streams = 64;
  /// Largest request a console may send; a larger one is refused with RESOURCE_EXHAUSTED (while
  /// it arrives, gRPC holds at most 16 MiB of what clients send).
  std::size_t max_request_bytes = 64u << 10;

  /// Where Prometheus scrapes this process's metrics ("host:port", path /metrics); empty: no
  /// metrics endpoint. Loopback only unless allow_remote, as for `bind`. README lists the metrics.
  std::string metrics_bind;
  /// Spawn sites with metric series of their own (the top ones by live tasks); the rest are summed
  /// into one series with site="other".
  std::size_t metrics_top_sites = 20;

  /// Defaults overridden by ASIO_CONSOLE_BIND, ASIO_CONSOLE_PUBLISH_INTERVAL and
  /// ASIO_CONSOLE_STALL_TIMEOUT (Abseil durations), ASIO_CONSOLE_ALLOW_REMOTE (1 or true), ASIO_CONSOLE_METRICS_BIND and
  /// ASIO_CONSOLE_METRICS_TOP_SITES. Each bad variable adds one line to `problems`.
  static serve_options from_environment(std::vector<std::string>& problems);
};

/// A running (or failed) server. Move-only; destroying it stops the server and joins its threads.
class server {
 public:
  server();
  server(server&&) noexcept;
  server& operator=(server&&) noexcept;
  ~server();

  /// Whether the server is listening.
  bool ok() const noexcept { return status_.ok(); }
  /// Why it is not, in a sentence a user can act on.
  const absl::Status& status() const noexcept { return status_; }
  /// The address consoles connect to ("127.0.0.1:40123" when port 0 was asked; "unix:/path").
  const std::string& address() const noexcept { return address_; }
  /// Where the metrics are scraped ("127.0.0.1:9464"); empty without serve_options::metrics_bind.
  const std::string& metrics_address() const noexcept { return metrics_address_; }
  /// Stops serving: consoles see their streams end. Idempotent.
  void stop();

  class impl;

 private:
  friend server serve(serve_options options);
  std::unique_ptr<impl> impl_;
  absl::Status status_ = absl::FailedPreconditionError("not started");
  std::string address_;
  std::string metrics_address_;
};

/// Starts serving consoles with `options`.
server serve(serve_options options);
/// Starts serving consoles with options from the environment (and defaults); problems with the
/// environment are printed on stderr.
server serve();

}  // namespace asio_console

#endif  // ASIO_CONSOLE_DISABLE
