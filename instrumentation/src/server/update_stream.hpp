// One console's WatchUpdates stream: a gRPC callback reactor with a bounded queue of updates.
//
// The publisher offers every publication; the stream queues it unless that would exceed its byte
// budget (what waits besides a snapshot being written), in which case it drops what it had queued and waits to catch up, then takes a fresh
// snapshot. Falling behind is a publication that does not fit, or one that finds the stream still
// writing what it held when it last fell behind; catching up is a publication delivered whole after
// the snapshot that follows (the snapshot alone is not). A stream that falls behind three times in
// a row without catching up (lag_rule) is ended with RESOURCE_EXHAUSTED (and counted in `cut_off`):
// a console that stopped reading is cut off after three publications, whatever its transport holds. Nothing here ever blocks the publisher (or the
// application). Locking as for every stream: write_reactor.hpp.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "lag_rule.hpp"
#include "publisher.hpp"
#include "write_reactor.hpp"

namespace asio_console::server_internal {

class update_stream final : public write_reactor<v1::Update> {
 public:
  /// A stream that falls behind this many times in a row without catching up is cut off.
  static constexpr int max_times_behind = 3;

  /// Creates a stream, sends its first message (the watcher id) and keeps it alive until gRPC is
  /// done with it. `cut_off` counts the streams cut off for falling behind (Counters.dropped_watchers).
  static std::shared_ptr<update_stream> start(std::uint64_t watcher_id, std::int64_t interval_ns,
                                              std::size_t budget_bytes, std::atomic<std::uint64_t>& cut_off,
                                              grpc::CallbackServerContext* context);
  update_stream(std::uint64_t watcher_id, std::int64_t interval_ns, std::size_t budget_bytes,
                std::atomic<std::uint64_t>& cut_off);

  // --- publisher thread ---------------------------------------------------------------------
  /// Queues what this watcher should receive of `publication`.
  void offer(const publication& publication);
  /// Cuts the stream off (and counts it) if a write has waited `limit` for the console to read it.
  bool cut_off_if_stalled(std::chrono::nanoseconds limit);
  /// The watcher can take a snapshot now (it needs one and its queue has drained).
  bool wants_snapshot();
  /// The watcher would take a delta now (it needs no snapshot, is not paused, is not ending). One
  /// that would not cannot come to before the next offer() but through it.
  bool takes_delta();
  /// Finish sequence of the last publication fully written to this watcher.
  std::uint64_t delivered_sequence();
  // --- any thread ----------------------------------------------------------------------------
  std::uint64_t watcher_id() const noexcept { return watcher_id_; }
  void set_paused(bool paused);

 private:
  struct queued {
    update_ptr message;
    std::uint64_t completes_sequence = 0;  // set on the last chunk of a publication
    std::size_t bytes = 0;  // counted against the budget: 0 for a snapshot's chunks
    bool snapshot = false;
  };

  // With mutex_ held.
  void enqueue(update_ptr message, std::uint64_t completes_sequence, bool snapshot = false);
  void enqueue_header(const std::string& resync_reason);
  /// Drops what is queued (not the message being written) and resynchronizes later.
  void fall_behind();
  bool drained() const noexcept { return queue_.size() <= (in_flight() ? 1u : 0u); }
  const v1::Update* next_message() override;  // queue_.front(), kept alive until written
  void written(bool ok) override;
  void on_done() override;

  const std::uint64_t watcher_id_;
  const std::int64_t interval_ns_;
  const std::size_t budget_bytes_;
  std::atomic<std::uint64_t>& cut_off_;

  std::deque<queued> queue_;
  std::size_t queued_bytes_ = 0;
  bool paused_ = false;
  bool needs_snapshot_ = true;
  std::string resync_reason_;
  lag_rule lag_{max_times_behind};
  std::uint64_t delivered_ = 0;
};

}  // namespace asio_console::server_internal
