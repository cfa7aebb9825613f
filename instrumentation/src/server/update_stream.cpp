#include "update_stream.hpp"

#include "reactor_handoff.hpp"

#include "absl/strings/str_cat.h"

namespace asio_console::server_internal {
namespace {
constexpr int max_resyncs_pending = 3;
}  // namespace

std::shared_ptr<update_stream> update_stream::start(std::uint64_t watcher_id, std::int64_t interval_ns,
                                                    std::size_t budget_bytes) {
  auto stream = std::make_shared<update_stream>(watcher_id, interval_ns, budget_bytes);
  action next;
  {
    std::lock_guard lock(stream->mutex_);
    stream->self_ = stream;
    stream->enqueue_header("");
    next = stream->claim_next();
  }
  reactor_handoff::publish();  // before the first write can complete on a gRPC thread
  stream->perform(next);
  return stream;
}

update_stream::update_stream(std::uint64_t watcher_id, std::int64_t interval_ns, std::size_t budget_bytes)
    : watcher_id_(watcher_id), interval_ns_(interval_ns), budget_bytes_(budget_bytes) {}

void update_stream::enqueue(update_ptr message, std::uint64_t completes_sequence) {
  const std::size_t bytes = message->ByteSizeLong();
  queued_bytes_ += bytes;
  queue_.push_back(queued{std::move(message), completes_sequence, bytes});
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

void update_stream::offer(const publication& publication) {
  action next;
  {
    std::lock_guard lock(mutex_);
    if (finish_issued_ || finish_with_ || paused_) return;
    const bool drained = queue_.size() <= (busy_ ? 1u : 0u);
    if (needs_snapshot_) {
      if (publication.snapshot.empty() || !drained) return;
      if (!resync_reason_.empty()) enqueue_header(resync_reason_);
      for (std::size_t i = 0; i < publication.snapshot.size(); ++i) {
        const bool last = i + 1 == publication.snapshot.size();
        enqueue(publication.snapshot[i], last ? publication.finish_sequence : 0);
      }
      needs_snapshot_ = false;
      resync_reason_.clear();
    } else {
      std::size_t bytes = 0;
      for (const update_ptr& chunk : publication.delta) bytes += chunk->ByteSizeLong();
      if (queued_bytes_ + bytes > budget_bytes_) {
        // Behind: drop what is queued (not the message being written) and resynchronize later.
        while (queue_.size() > (busy_ ? 1u : 0u)) {
          queued_bytes_ -= queue_.back().bytes;
          queue_.pop_back();
        }
        needs_snapshot_ = true;
        resync_reason_ = absl::StrCat("the console fell behind: more than ", budget_bytes_,
                                      " bytes of updates were waiting for it");
        if (++resyncs_pending_ > max_resyncs_pending) {
          finish_with_ = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                      absl::StrCat("asio-console: cut off after falling behind ",
                                                   max_resyncs_pending, " times without catching up"));
        }
      } else {
        for (std::size_t i = 0; i < publication.delta.size(); ++i) {
          const bool last = i + 1 == publication.delta.size();
          enqueue(publication.delta[i], last ? publication.finish_sequence : 0);
        }
      }
    }
    next = claim_next();
  }
  perform(next);
}

bool update_stream::wants_snapshot() {
  std::lock_guard lock(mutex_);
  return needs_snapshot_ && !paused_ && !finish_issued_ && queue_.size() <= (busy_ ? 1u : 0u);
}

std::uint64_t update_stream::delivered_sequence() {
  std::lock_guard lock(mutex_);
  return delivered_;
}

bool update_stream::done() {
  std::lock_guard lock(mutex_);
  return done_;
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

void update_stream::end(grpc::Status status) {
  action next;
  {
    std::lock_guard lock(mutex_);
    if (finish_issued_ || finish_with_) return;
    finish_with_ = std::move(status);
    next = claim_next();
  }
  perform(next);
}

update_stream::action update_stream::claim_next() {
  if (busy_ || finish_issued_) return {};
  if (finish_with_) {
    busy_ = true;
    finish_issued_ = true;
    return {action::finish, nullptr, *finish_with_};
  }
  if (queue_.empty()) return {};
  busy_ = true;
  return {action::write, queue_.front().message.get(), {}};
}

void update_stream::perform(const action& next) {
  if (next.kind == action::write) StartWrite(next.message);
  if (next.kind == action::finish) Finish(next.status);
}

void update_stream::OnWriteDone(bool ok) {
  reactor_handoff::observe();
  action next;
  {
    std::lock_guard lock(mutex_);
    busy_ = false;
    if (!queue_.empty()) {
      const queued& written = queue_.front();
      if (ok && written.completes_sequence != 0) {
        delivered_ = written.completes_sequence;
        resyncs_pending_ = needs_snapshot_ ? resyncs_pending_ : 0;
      }
      queued_bytes_ -= written.bytes;
      queue_.pop_front();
    }
    if (!ok && !finish_with_) finish_with_ = grpc::Status(grpc::StatusCode::CANCELLED, "the console went away");
    next = claim_next();
  }
  perform(next);
}

void update_stream::OnCancel() {
  reactor_handoff::observe();
  end(grpc::Status(grpc::StatusCode::CANCELLED, "the console went away"));
}

void update_stream::OnDone() {
  reactor_handoff::observe();
  std::shared_ptr<update_stream> keep_until_return;
  {
    std::lock_guard lock(mutex_);
    done_ = true;
    queue_.clear();
    queued_bytes_ = 0;
    keep_until_return = std::move(self_);
  }
}

}  // namespace asio_console::server_internal
