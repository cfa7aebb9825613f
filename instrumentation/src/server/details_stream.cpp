#include "details_stream.hpp"

#include "reactor_handoff.hpp"

namespace asio_console::server_internal {

std::shared_ptr<details_stream> details_stream::start(std::uint64_t task_id) {
  auto stream = std::make_shared<details_stream>(task_id);
  {
    std::lock_guard lock(stream->mutex_);
    stream->self_ = stream;
  }
  reactor_handoff::publish();
  return stream;
}

void details_stream::offer(v1::TaskDetails details) {
  action next;
  {
    std::lock_guard lock(mutex_);
    if (finish_issued_ || finish_with_) return;
    pending_ = std::move(details);
    next = claim_next();
  }
  perform(next);
}

void details_stream::end(grpc::Status status) {
  action next;
  {
    std::lock_guard lock(mutex_);
    if (finish_issued_ || finish_with_) return;
    finish_with_ = std::move(status);
    next = claim_next();
  }
  perform(next);
}

bool details_stream::done() {
  std::lock_guard lock(mutex_);
  return done_;
}

details_stream::action details_stream::claim_next() {
  if (busy_ || finish_issued_) return {};
  if (finish_with_) {
    busy_ = true;
    finish_issued_ = true;
    return {action::finish, *finish_with_};
  }
  if (!pending_) return {};
  writing_ = std::move(*pending_);
  pending_.reset();
  busy_ = true;
  return {action::write, {}};
}

void details_stream::perform(const action& next) {
  // writing_ is not touched again until OnWriteDone releases the token.
  if (next.kind == action::write) StartWrite(&writing_);
  if (next.kind == action::finish) Finish(next.status);
}

void details_stream::OnWriteDone(bool ok) {
  reactor_handoff::observe();
  action next;
  {
    std::lock_guard lock(mutex_);
    busy_ = false;
    if (!ok && !finish_with_) finish_with_ = grpc::Status(grpc::StatusCode::CANCELLED, "the console went away");
    next = claim_next();
  }
  perform(next);
}

void details_stream::OnCancel() {
  reactor_handoff::observe();
  end(grpc::Status(grpc::StatusCode::CANCELLED, "the console went away"));
}

void details_stream::OnDone() {
  reactor_handoff::observe();
  std::shared_ptr<details_stream> keep_until_return;
  std::lock_guard lock(mutex_);
  done_ = true;
  keep_until_return = std::move(self_);
}

}  // namespace asio_console::server_internal
