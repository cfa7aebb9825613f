// The consoles attached to the server: their streams, created by gRPC threads and served by the
// publisher thread. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "details_stream.hpp"
#include "update_stream.hpp"

namespace asio_console::server_internal {

class watcher_hub {
 public:
  /// How many streams may be open at once: from one client connection (gRPC's peer address, which
  /// tells TCP connections apart but not a unix socket's), and in all.
  struct limits {
    std::size_t per_connection = 8;
    std::size_t total = 64;
  };
  explicit watcher_hub(limits limits) : limits_(limits) {}

  /// A fresh watcher id: 64 random bits from the kernel, so that only the console that reads the
  /// stream (its first message carries the id) can pause or resume it, not one that guesses.
  std::uint64_t next_watcher_id();
  /// Counts the update streams cut off for falling behind (update_stream::start).
  std::atomic<std::uint64_t>& cut_off_counter() noexcept { return cut_off_; }
  std::uint64_t dropped_watchers() const noexcept { return cut_off_.load(std::memory_order_relaxed); }

  /// Opens the stream `start` makes if the limits leave room for one more from `peer`; otherwise
  /// returns RESOURCE_EXHAUSTED naming the limit, and `start` is not called. `start` runs under
  /// the hub's lock (the count and the stream it adds are one step): it must not call the hub.
  grpc::Status open(const std::string& peer, const std::function<std::shared_ptr<update_stream>()>& start);
  grpc::Status open(const std::string& peer, const std::function<std::shared_ptr<details_stream>()>& start);
  /// Pauses or resumes a watcher; false if there is no such watcher.
  bool set_paused(std::uint64_t watcher_id, bool paused);

  /// Copies of the streams still alive (forgetting finished ones).
  std::vector<std::shared_ptr<update_stream>> update_streams();
  std::vector<std::shared_ptr<details_stream>> details_streams();

  /// Ends every stream with `status` (server stopping).
  void end_all(const grpc::Status& status);

  /// Wakes the publisher early (a new watcher wants its snapshot now).
  void request_publication();
  /// Waits until woken, `timeout` passes, or stopping; returns false when stopping.
  bool wait_for_work(std::chrono::nanoseconds timeout);
  void stop();

 private:
  // With mutex_ held: forgets finished streams, then whether one more from `peer` fits.
  grpc::Status admit(const std::string& peer);
  template <typename Stream>
  grpc::Status open_into(std::vector<std::shared_ptr<Stream>>& streams, const std::string& peer,
                         const std::function<std::shared_ptr<Stream>()>& start);

  const limits limits_;
  std::atomic<std::uint64_t> cut_off_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool stopping_ = false;
  std::vector<std::shared_ptr<update_stream>> updates_;
  std::vector<std::shared_ptr<details_stream>> details_;
};

}  // namespace asio_console::server_internal
