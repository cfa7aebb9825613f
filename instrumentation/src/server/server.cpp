#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>  // program_invocation_short_name
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <cstdio>
#include <optional>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "asio_console/serve.hpp"
#include "bind_address.hpp"
#include "discovery/process_directory.hpp"
#include "instrument_service.hpp"
#include "metrics_collector.hpp"
#include "metrics_http.hpp"
#include "publisher.hpp"
#include "unix_socket.hpp"
#include "watcher_hub.hpp"

namespace asio_console {

using server_internal::watcher_hub;

namespace {
// A client connection that has not finished its HTTP/2 handshake by then is closed.
constexpr std::chrono::milliseconds handshake_timeout{10'000};
// What gRPC may hold of the data clients send, all connections together.
constexpr std::size_t client_data_quota_bytes = 16u << 20;
// Unary calls (pause, resume, symbolize) one connection may have in flight besides its watches.
constexpr std::size_t unary_calls_per_connection = 8;
}  // namespace

class server::impl {
 public:
  impl(serve_options options, instrumentation::registry& registry)
      : options_(std::move(options)),
        registry_(registry),
        hub_({.per_connection = options_.max_streams_per_connection, .total = options_.max_streams}),
        service_(hub_, registry_, options_) {}

  ~impl() { stop(); }

  /// True in a child of fork(): gRPC's threads, the publisher and the listener are the parent's.
  bool forked() const noexcept { return ::getpid() != owner_; }
  /// What a forked child does instead of stopping: nothing the parent's server depends on (no
  /// gRPC shutdown, which would hang on threads the child lacks and shut the shared listening
  /// socket; no removal of the parent's socket or `ps` entry). The child's own finished tasks are
  /// no longer held for a console.
  void abandon_in_child() { registry_.set_reclaim_barrier(instrumentation::registry::no_barrier); }

  // Serves the metrics (before the consoles' port, so that a failure here leaves nothing running).
  // Returns the address bound.
  absl::StatusOr<std::string> start_metrics(const server_internal::bind_address& address) {
    if (absl::Status free = server_internal::check_port_free(address, options_.metrics_bind); !free.ok()) {
      return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", options_.metrics_bind, ": the address is in use"));
    }
    metrics_ = std::make_shared<server_internal::metrics_collector>(registry_, options_.metrics_top_sites,
                                                                    [this] { return hub_.dropped_watchers(); });
    absl::StatusOr<std::unique_ptr<server_internal::metrics_http_server>> http =
        server_internal::metrics_http_server::start(address, [this] { return metrics_->text(); });
    if (!http.ok()) {
      return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", options_.metrics_bind, ": ", http.status().message()));
    }
    metrics_http_ = *std::move(http);
    const std::string host = address.grpc_uri.substr(0, address.grpc_uri.rfind(':') + 1);
    metrics_address_ = host + std::to_string(metrics_http_->port());
    return metrics_address_;
  }

  absl::StatusOr<std::string> start(const server_internal::bind_address& address) {
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    if (absl::Status free = server_internal::check_port_free(address, options_.bind); !free.ok()) return free;
    grpc::ServerBuilder builder;
    int port = 0;
    std::string uri = address.grpc_uri;
    if (!address.unix_path.empty()) {
      absl::StatusOr<server_internal::unix_socket_binding> prepared =
          server_internal::unix_socket_binding::prepare(address.unix_path);
      if (!prepared.ok()) return prepared.status();
      unix_socket_.emplace(*std::move(prepared));
      uri = unix_socket_->grpc_uri();
    }
    builder.AddListeningPort(uri, grpc::InsecureServerCredentials(), address.unix_path.empty() ? &port : nullptr);
    // Without this gRPC binds with SO_REUSEPORT, and a second process would share the port silently.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    // What one client can hold: a request over the cap is refused; a connection that never
    // completes its handshake is closed; calls in flight per connection are bounded (the watches
    // by the hub, with a reason; the short unary calls by HTTP/2 itself).
    builder.SetMaxReceiveMessageSize(static_cast<int>(options_.max_request_bytes));
    // gRPC checks that size only once a message is whole (measured: a 100 MB request was held
    // whole); what it may hold of what clients send (requests arriving, read buffers) is bounded
    // by its memory quota instead: over it, gRPC cancels a stream ("Buffers full") rather than grow.
    grpc::ResourceQuota quota("asio-console");
    quota.Resize(client_data_quota_bytes);
    builder.SetResourceQuota(quota);
    builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, static_cast<int>(handshake_timeout.count()));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                               static_cast<int>(options_.max_streams_per_connection + unary_calls_per_connection));
    builder.RegisterService(&service_);
    grpc_server_ = builder.BuildAndStart();
    if (!grpc_server_ || (address.unix_path.empty() && port == 0)) {
      grpc_server_.reset();
      unix_socket_.reset();
      return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.bind,
                                                 ": the address is in use or not available here"));
    }
    std::string bound = options_.bind;
    if (unix_socket_) {
      if (absl::Status placed = unix_socket_->place(); !placed.ok()) {  // mode 0600, then at its path
        grpc_server_->Shutdown();
        grpc_server_.reset();
        unix_socket_.reset();
        return placed;
      }
    } else {
      bound = address.grpc_uri.substr(0, address.grpc_uri.rfind(':') + 1) + std::to_string(port);
    }
    publisher_thread_ = std::thread([this] { publish_until_stopped(); });
    register_process(bound);
    return bound;
  }

  void stop() {
    if (stopped_.exchange(true)) return;
    registration_ = {};  // no longer listed by `asio-console ps`
    metrics_http_.reset();  // waits for a scrape in progress
    hub_.stop();
    if (publisher_thread_.joinable()) publisher_thread_.join();
    if (grpc_server_) {
      hub_.end_all(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the process stopped serving asio-console"));
      grpc_server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
      grpc_server_->Wait();
      grpc_server_.reset();
    }
    unix_socket_.reset();  // removes the socket, if it is still ours
    registry_.set_reclaim_barrier(instrumentation::registry::no_barrier);
  }

 private:
  // Listed for `asio-console ps` and attach by pid; serving goes on without it.
  void register_process(const std::string& bound) {
    discovery::process_entry entry;
    entry.pid = ::getpid();
    entry.program = program_invocation_short_name;
    entry.console = bound;
    entry.metrics = metrics_address_;
    entry.started_unix_ns = absl::ToUnixNanos(absl::Now());
    absl::StatusOr<discovery::registration> listed = discovery::registration::create(entry);
    if (listed.ok()) {
      registration_ = *std::move(listed);
    } else {
      std::fprintf(stderr, "asio-console: this process is not listed for `asio-console ps`: %s\n",
                   std::string(listed.status().message()).c_str());
    }
  }

  void publish_until_stopped() {
    server_internal::publisher publisher(registry_, options_.max_message_bytes,
                                         absl::ToInt64Nanoseconds(options_.publish_interval));
    const auto interval = absl::ToChronoNanoseconds(options_.publish_interval);
    bool watched = false;
    bool snapshot_sent = false;
    bool trim_after_cut_off = false;
    while (hub_.wait_for_work(interval)) {
      auto updates = hub_.update_streams();
      auto details = hub_.details_streams();
      // Consoles that stopped reading: cut off, and what gRPC held for them given back.
      const auto stalled = absl::ToChronoNanoseconds(options_.stall_timeout);
      bool cut_off = false;
      for (const auto& stream : updates) cut_off |= stream->cut_off_if_stalled(stalled);
      for (const auto& stream : details) {
        cut_off |= stream->cut_off_if_stalled(
            stalled, grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "cut off: the console read nothing"));
      }
      if (trim_after_cut_off) return_free_memory();  // the streams cut off last time are gone now
      trim_after_cut_off = cut_off;
      if (updates.empty() && details.empty()) {
        if (watched) {  // the last console left: free what was tracked for it
          publisher.keep_histograms_of({});
          publisher.reset();
          registry_.set_reclaim_barrier(instrumentation::registry::no_barrier);
          watched = false;
          return_free_memory();
        }
        continue;
      }
      if (!updates.empty()) {
        if (!watched) publisher.reset();  // a first watcher after none: everything is new again
        watched = true;
        const bool snapshot = std::any_of(updates.begin(), updates.end(), [](auto& s) { return s->wants_snapshot(); });
        const bool delta = std::any_of(updates.begin(), updates.end(), [](auto& s) { return s->takes_delta(); });
        {
          const server_internal::publication publication = publisher.publish(snapshot, hub_.dropped_watchers(), delta);
          std::uint64_t barrier = instrumentation::registry::no_barrier;
          for (const auto& stream : updates) {
            stream->offer(publication);
            barrier = std::min(barrier, stream->delivered_sequence());
          }
          registry_.set_reclaim_barrier(barrier);
        }
        // A snapshot's messages (hundreds of bytes a task) are sent by the next publication.
        if (snapshot_sent && !snapshot) return_free_memory();
        snapshot_sent = snapshot;
      }
      absl::flat_hash_set<std::uint64_t> followed;
      for (const auto& stream : details) {
        followed.insert(stream->task_id());
        if (auto found = publisher.details(stream->task_id())) {
          stream->offer(std::move(*found));
        } else {
          stream->end(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                   absl::StrCat("task ", stream->task_id(), " is not (or no longer) known")));
        }
      }
      publisher.keep_histograms_of(followed);  // a task nobody follows frees its histogram slot
    }
  }

  // Gives the heap's free pages back to the system: glibc keeps what a snapshot of a million tasks
  // freed (most of a gigabyte) in the process otherwise.
  static void return_free_memory() {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
  }

  serve_options options_;
  instrumentation::registry& registry_;
  watcher_hub hub_;
  server_internal::instrument_service service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::optional<server_internal::unix_socket_binding> unix_socket_;
  std::thread publisher_thread_;
  std::shared_ptr<server_internal::metrics_collector> metrics_;
  std::unique_ptr<server_internal::metrics_http_server> metrics_http_;
  std::string metrics_address_;
  discovery::registration registration_;
  std::atomic<bool> stopped_{false};
  const pid_t owner_ = ::getpid();
};

server::server() = default;
server::server(server&&) noexcept = default;
server& server::operator=(server&& other) noexcept {
  if (this != &other) {
    stop();
    impl_ = std::move(other.impl_);
    status_ = std::move(other.status_);
    address_ = std::move(other.address_);
    metrics_address_ = std::move(other.metrics_address_);
  }
  return *this;
}
server::~server() { stop(); }

void server::stop() {
  if (!impl_) return;
  if (impl_->forked()) {  // the child's copy is inert, and left as it is
    impl_->abandon_in_child();
    (void)impl_.release();
    return;
  }
  impl_->stop();
}

server serve(serve_options options) {
  server result;
  const auto fail = [&](absl::Status status) {
    std::fprintf(stderr, "asio-console: %s\n", std::string(status.message()).c_str());
    result.status_ = std::move(status);
    return std::move(result);
  };
  if (options.publish_interval < absl::Milliseconds(10)) {
    return fail(absl::InvalidArgumentError("publish_interval must be at least 10ms"));
  }
  if (options.max_streams == 0 || options.max_streams_per_connection == 0) {
    return fail(absl::InvalidArgumentError("max_streams and max_streams_per_connection must be at least 1"));
  }
  if (options.max_request_bytes < 1024 || options.max_request_bytes > (std::size_t{1} << 30)) {
    return fail(absl::InvalidArgumentError("max_request_bytes must be from 1KiB to 1GiB"));
  }
  absl::StatusOr<server_internal::bind_address> address = server_internal::parse_bind_address(options.bind);
  if (!address.ok()) return fail(address.status());
  if (!address->loopback && !options.allow_remote) {
    return fail(absl::PermissionDeniedError(absl::StrCat(
        "refusing to serve on ", options.bind,
        ": it is not a loopback address; set allow_remote (ASIO_CONSOLE_ALLOW_REMOTE=1) to expose task "
        "names, fields and stacks to the network")));
  }
  std::optional<server_internal::bind_address> metrics;
  if (!options.metrics_bind.empty()) {
    absl::StatusOr<server_internal::bind_address> parsed = server_internal::parse_bind_address(options.metrics_bind);
    if (!parsed.ok()) return fail(parsed.status());
    if (!parsed->unix_path.empty()) {
      return fail(absl::InvalidArgumentError(
          absl::StrCat("bad metrics address '", options.metrics_bind, "': Prometheus scrapes host:port")));
    }
    if (!parsed->loopback && !options.allow_remote) {
      return fail(absl::PermissionDeniedError(absl::StrCat(
          "refusing to serve metrics on ", options.metrics_bind,
          ": it is not a loopback address; set allow_remote (ASIO_CONSOLE_ALLOW_REMOTE=1) to expose spawn sites "
          "to the network")));
    }
    metrics = *std::move(parsed);
  }
  auto impl = std::make_unique<server::impl>(options, instrumentation::registry::instance());
  if (metrics) {
    absl::StatusOr<std::string> bound = impl->start_metrics(*metrics);
    if (!bound.ok()) return fail(bound.status());
    result.metrics_address_ = *std::move(bound);
  }
  absl::StatusOr<std::string> bound = impl->start(*address);
  if (!bound.ok()) {
    result.metrics_address_.clear();
    return fail(bound.status());
  }
  if (!address->loopback) {
    std::fprintf(stderr, "asio-console: serving on %s, reachable from the network\n", bound->c_str());
  }
  if (metrics && !metrics->loopback) {
    std::fprintf(stderr, "asio-console: serving metrics on %s, reachable from the network\n",
                 result.metrics_address_.c_str());
  }
  result.impl_ = std::move(impl);
  result.address_ = *std::move(bound);
  result.status_ = absl::OkStatus();
  return result;
}

server serve() {
  std::vector<std::string> problems;
  serve_options options = serve_options::from_environment(problems);
  for (const std::string& problem : problems) std::fprintf(stderr, "asio-console: %s\n", problem.c_str());
  return serve(std::move(options));
}

}  // namespace asio_console
