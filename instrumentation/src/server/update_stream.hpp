// One console's WatchUpdates stream: a gRPC callback reactor with a bounded queue of updates.
//
// The publisher offers every publication; the stream queues it unless that would exceed its byte
// budget, in which case it drops what it had queued and waits to catch up, then takes a fresh
// snapshot. A stream that falls behind three times without catching up is ended with
// RESOURCE_EXHAUSTED. Nothing here ever blocks the publisher (or the application).
//
// Locking: decisions are made under `mutex_`; gRPC calls (StartWrite, Finish) are made outside it,
// by whoever holds the single "operation in flight" token (`busy_`), so a reactor is never touched
// after Finish and reactions can never deadlock against the publisher.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "publisher.hpp"

namespace asio_console::server_internal {

class update_stream final : public grpc::ServerWriteReactor<v1::Update> {
 public:
  /// Creates a stream, sends its first message (the watcher id) and keeps it alive until gRPC is
  /// done with it.
  static std::shared_ptr<update_stream> start(std::uint64_t watcher_id, std::int64_t interval_ns,
                                              std::size_t budget_bytes);
  update_stream(std::uint64_t watcher_id, std::int64_t interval_ns, std::size_t budget_bytes);

  // --- publisher thread ---------------------------------------------------------------------
  /// Queues what this watcher should receive of `publication`.
  void offer(const publication& publication);
  /// The watcher can take a snapshot now (it needs one and its queue has drained).
  bool wants_snapshot();
  /// Finish sequence of the last publication fully written to this watcher.
  std::uint64_t delivered_sequence();
  /// True once gRPC is done with the stream; the publisher then forgets it.
  bool done();

  // --- any thread ----------------------------------------------------------------------------
  std::uint64_t watcher_id() const noexcept { return watcher_id_; }
  void set_paused(bool paused);
  /// Ends the stream with `status` (server stopping, or the watcher cut off).
  void end(grpc::Status status);

  // --- gRPC reactions ----------------------------------------------------------------------------
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  struct queued {
    update_ptr message;
    std::uint64_t completes_sequence = 0;  // set on the last chunk of a publication
    std::size_t bytes = 0;
  };

  void enqueue(update_ptr message, std::uint64_t completes_sequence);
  void enqueue_header(const std::string& resync_reason);
  // The gRPC call the holder of the in-flight token must make: decided under the lock (claim_next,
  // which takes the token) and carried out after it (perform), reading nothing shared.
  struct action {
    enum { none, write, finish } kind = none;
    const v1::Update* message = nullptr;  // kept alive by queue_.front() until OnWriteDone
    grpc::Status status;
  };
  action claim_next();
  void perform(const action& next);

  const std::uint64_t watcher_id_;
  const std::int64_t interval_ns_;
  const std::size_t budget_bytes_;

  std::mutex mutex_;
  std::deque<queued> queue_;
  std::size_t queued_bytes_ = 0;
  bool busy_ = false;           // a StartWrite or Finish is in flight (or being issued)
  bool finish_issued_ = false;
  std::optional<grpc::Status> finish_with_;
  bool done_ = false;
  bool paused_ = false;
  bool needs_snapshot_ = true;
  std::string resync_reason_;
  int resyncs_pending_ = 0;
  std::uint64_t delivered_ = 0;
  std::shared_ptr<update_stream> self_;  // keeps the reactor alive until OnDone
};

}  // namespace asio_console::server_internal
