#include "update_stream.hpp"

#include "absl/strings/str_cat.h"

namespace asio_console::server_internal {

std::shared_ptr<update_stream> update_stream::start(std::uint64_t watcher_id, std::int64_t interval_ns,
                                                    std::size_t budget_bytes, std::atomic<std::uint64_t>& cut_off,
                                                    grpc::CallbackServerContext* context) {
  auto stream = std::make_shared<update_stream>(watcher_id, interval_ns, budget_bytes, cut_off);
  stream->change([&] {
    stream->keep_alive_until_done(stream, context);
    stream->enqueue_header("");
  });
  return stream;
}

update_stream::update_stream(std::uint64_t watcher_id, std::int64_t interval_ns, std::size_t budget_bytes,
                             std::atomic<std::uint64_t>& cut_off)
    : watcher_id_(watcher_id), interval_ns_(interval_ns), budget_bytes_(budget_bytes), cut_off_(cut_off) {}

void update_stream::enqueue(update_ptr message, std::uint64_t completes_sequence, bool snapshot) {
  // A snapshot's chunks are shared by every watcher that takes it: the budget bounds what waits
  // behind them.
  const std::size_t bytes = snapshot ? 0 : message->ByteSizeLong();
  queued_bytes_ += bytes;
  queue_.push_back(queued{std::move(message), completes_sequence, bytes, snapshot});
}

// The per-watcher message that starts a stream or a resynchronization: it carries the watcher id
// (for Pause/Resume) and why a new snapshot follows.
void update_stream::enqueue_header(const std::string& resync_reason) {
  auto header = std::make_shared<v1::Update>();
  header->set_protocol_version(v1::PROTOCOL_VERSION_1);
  header->set_watcher_id(watcher_id_);
  header->set_publish_interval_ns(interval_ns_);
  header->set_resync_reason(resync_reason);
  header->set_last_chunk(true);
  enqueue(std::move(header), 0);
}

void update_stream::fall_behind() {
  while (queue_.size() > (in_flight() ? 1u : 0u)) {
    queued_bytes_ -= queue_.back().bytes;
    queue_.pop_back();
  }
  needs_snapshot_ = true;
  resync_reason_ =
      absl::StrCat("the console fell behind: more than ", budget_bytes_, " bytes of updates were waiting for it");
  if (lag_.fell_behind()) {
    cut_off_.fetch_add(1, std::memory_order_relaxed);
    finish_with(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                             absl::StrCat("asio-console: cut off after falling behind ", lag_.times(),
                                          " times without catching up")));
  }
}

void update_stream::offer(const publication& publication) {
  change([&] {
    if (ending() || paused_) return;
    if (needs_snapshot_) {
      if (!drained()) {
        // Still writing what it held when it fell behind: it could not take this one either.
        if (lag_.times() > 0) fall_behind();
        return;
      }
      if (publication.snapshot.empty()) return;
      if (!resync_reason_.empty()) enqueue_header(resync_reason_);
      for (std::size_t i = 0; i < publication.snapshot.size(); ++i) {
        const bool last = i + 1 == publication.snapshot.size();
        enqueue(publication.snapshot[i], last ? publication.finish_sequence : 0, /*snapshot=*/true);
      }
      needs_snapshot_ = false;
      resync_reason_.clear();
      return;
    }
    std::size_t bytes = 0;
    for (const update_ptr& chunk : publication.delta) bytes += chunk->ByteSizeLong();
    if (queued_bytes_ + bytes > budget_bytes_) {
      fall_behind();
      return;
    }
    for (std::size_t i = 0; i < publication.delta.size(); ++i) {
      const bool last = i + 1 == publication.delta.size();
      enqueue(publication.delta[i], last ? publication.finish_sequence : 0);
    }
  });
}

bool update_stream::cut_off_if_stalled(std::chrono::nanoseconds limit) {
  const auto seconds = std::chrono::duration_cast<std::chrono::duration<double>>(limit).count();
  if (!write_reactor::cut_off_if_stalled(
          limit, grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                              absl::StrCat("cut off: the console read nothing for ", seconds, "s")))) {
    return false;
  }
  cut_off_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool update_stream::wants_snapshot() {
  std::lock_guard lock(mutex_);
  return needs_snapshot_ && !paused_ && !ending() && drained();
}

bool update_stream::takes_delta() {
  std::lock_guard lock(mutex_);
  return !needs_snapshot_ && !paused_ && !ending();
}

std::uint64_t update_stream::delivered_sequence() {
  std::lock_guard lock(mutex_);
  return delivered_;
}

void update_stream::set_paused(bool paused) {
  std::lock_guard lock(mutex_);
  if (paused_ == paused) return;
  paused_ = paused;
  if (!paused) {
    // What happened while paused is not queued: start over from a snapshot.
    needs_snapshot_ = true;
    resync_reason_ = "resumed after a pause";
  }
}

const v1::Update* update_stream::next_message() { return queue_.empty() ? nullptr : queue_.front().message.get(); }

void update_stream::written(bool ok) {
  if (queue_.empty()) return;
  const queued& done_writing = queue_.front();
  if (ok && done_writing.completes_sequence != 0) {
    delivered_ = done_writing.completes_sequence;
    // A whole publication went out after the resynchronization: it keeps up again.
    if (!needs_snapshot_ && !done_writing.snapshot) lag_.caught_up();
  }
  queued_bytes_ -= done_writing.bytes;
  queue_.pop_front();
}

void update_stream::on_done() {
  queue_.clear();
  queued_bytes_ = 0;
}

}  // namespace asio_console::server_internal
