#include "details_stream.hpp"

namespace asio_console::server_internal {

std::shared_ptr<details_stream> details_stream::start(std::uint64_t task_id) {
  auto stream = std::make_shared<details_stream>(task_id);
  std::lock_guard lock(stream->mutex_);
  stream->self_ = stream;
  return stream;
}

void details_stream::offer(v1::TaskDetails details) {
  bool act = false;
  {
    std::lock_guard lock(mutex_);
    if (finish_issued_ || finish_with_) return;
    pending_ = std::move(details);
    act = claim_next();
  }
  if (act) perform();
}

void details_stream::end(grpc::Status status) {
  bool act = false;
  {
    std::lock_guard lock(mutex_);
    if (finish_issued_ || finish_with_) return;
    finish_with_ = std::move(status);
    act = claim_next();
  }
  if (act) perform();
}

bool details_stream::done() {
  std::lock_guard lock(mutex_);
  return done_;
}

bool details_stream::claim_next() {
  if (busy_ || finish_issued_) return false;
  if (finish_with_) {
    busy_ = true;
    finish_issued_ = true;
    write_next_ = false;
    return true;
  }
  if (!pending_) return false;
  writing_ = std::move(*pending_);
  pending_.reset();
  busy_ = true;
  write_next_ = true;
  return true;
}

void details_stream::perform() {
  if (write_next_) {
    StartWrite(&writing_);
  } else {
    Finish(*finish_with_);
  }
}

void details_stream::OnWriteDone(bool ok) {
  bool act = false;
  {
    std::lock_guard lock(mutex_);
    busy_ = false;
    if (!ok && !finish_with_) finish_with_ = grpc::Status(grpc::StatusCode::CANCELLED, "the console went away");
    act = claim_next();
  }
  if (act) perform();
}

void details_stream::OnCancel() { end(grpc::Status(grpc::StatusCode::CANCELLED, "the console went away")); }

void details_stream::OnDone() {
  std::shared_ptr<details_stream> keep_until_return;
  std::lock_guard lock(mutex_);
  done_ = true;
  keep_until_return = std::move(self_);
}

}  // namespace asio_console::server_internal
