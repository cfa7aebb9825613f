// The discipline both server streams share: a gRPC callback reactor that writes one message at a
// time. Decisions are made under `mutex_`; the gRPC calls (StartWrite, Finish) are made outside it,
// by whoever holds the single "operation in flight" token, so a reactor is never touched after
// Finish and its reactions can never deadlock against the publisher. A stream says what to write
// next (next_message) and what a finished write means to it (written); everything else is here.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <grpcpp/grpcpp.h>

#include "reactor_handoff.hpp"

namespace asio_console::server_internal {

template <typename Message>
class write_reactor : public grpc::ServerWriteReactor<Message> {
 public:
  /// Ends the stream with `status` once the write in flight (if any) is done. Any thread.
  void end(grpc::Status status) {
    change([&] { finish_with(std::move(status)); });
  }
  /// If a write has been in flight for `limit` or longer (the console stopped reading), ends the
  /// stream with `status` and cancels the call, so that gRPC lets go of what it buffered for it.
  /// Returns whether this ended the stream (one already ending, waiting on that write, is only
  /// cancelled). Any thread.
  bool cut_off_if_stalled(std::chrono::nanoseconds limit, grpc::Status status) {
    bool ended_here = false;
    {
      std::lock_guard lock(mutex_);
      if (!busy_ || finish_issued_ || done_ || cancelling_ || context_ == nullptr) return false;
      if (std::chrono::steady_clock::now() - write_started_ < limit) return false;
      ended_here = !ending();
      finish_with(std::move(status));
      cancelling_ = true;  // no Finish (hence no OnDone, which frees the context) until TryCancel returns
    }
    context_->TryCancel();  // outside the lock: gRPC may call OnCancel from here
    change([&] { cancelling_ = false; });
    return ended_here;
  }
  /// The client connection it came from (gRPC's peer address), set once by keep_alive_until_done.
  const std::string& peer() const noexcept { return peer_; }
  /// True once gRPC is done with the stream; whoever holds it then forgets it.
  bool done() {
    std::lock_guard lock(mutex_);
    return done_;
  }

  void OnWriteDone(bool ok) final {
    reactor_handoff::observe();
    change([&] {
      busy_ = false;
      written(ok);
      if (!ok) finish_with(grpc::Status(grpc::StatusCode::CANCELLED, "the console went away"));
    });
  }
  void OnCancel() final {
    reactor_handoff::observe();
    end(grpc::Status(grpc::StatusCode::CANCELLED, "the console went away"));
  }
  void OnDone() final {
    reactor_handoff::observe();
    std::shared_ptr<void> keep_until_return;
    std::lock_guard lock(mutex_);
    done_ = true;
    on_done();
    keep_until_return = std::move(self_);
  }

 protected:
  write_reactor() = default;
  ~write_reactor() override = default;

  /// Keeps the stream alive until OnDone and makes it visible to gRPC's threads; call once, from
  /// `decide` of the stream's first change(). `context` is the call's, valid until OnDone.
  void keep_alive_until_done(std::shared_ptr<void> self, grpc::CallbackServerContext* context) {
    self_ = std::move(self);
    context_ = context;
    peer_ = context->peer();
    reactor_handoff::publish();  // before the first write can complete on a gRPC thread
  }

  /// Runs `decide` under the lock, then makes the gRPC call that became due, outside it.
  template <typename Decide>
  void change(Decide&& decide) {
    action next;
    {
      std::lock_guard lock(mutex_);
      decide();
      next = claim_next();
    }
    if (next.kind == action::write) this->StartWrite(next.message);
    if (next.kind == action::finish) this->Finish(next.status);
  }

  // --- with mutex_ held ---------------------------------------------------------------------------
  /// The stream ends with `status` (the first status given wins).
  void finish_with(grpc::Status status) {
    if (!finish_with_ && !finish_issued_) finish_with_ = std::move(status);
  }
  /// The stream is ending: nothing more should be queued.
  bool ending() const noexcept { return finish_issued_ || finish_with_.has_value(); }
  /// A write (or the finish) is in flight.
  bool in_flight() const noexcept { return busy_; }

  /// The message to write now, alive until written() is called, or nullptr for none.
  virtual const Message* next_message() = 0;
  /// The message next_message() gave is written (ok) or failed (the stream then ends).
  virtual void written(bool ok) = 0;
  /// gRPC is done with the stream: let go of what is queued.
  virtual void on_done() {}

  std::mutex mutex_;

 private:
  struct action {
    enum { none, write, finish } kind = none;
    const Message* message = nullptr;
    grpc::Status status;
  };
  action claim_next() {
    if (busy_ || finish_issued_ || cancelling_) return {};
    if (finish_with_) {
      busy_ = true;
      finish_issued_ = true;
      return {action::finish, nullptr, *finish_with_};
    }
    const Message* message = next_message();
    if (message == nullptr) return {};
    busy_ = true;
    write_started_ = std::chrono::steady_clock::now();
    return {action::write, message, {}};
  }

  bool busy_ = false;
  std::chrono::steady_clock::time_point write_started_;
  bool cancelling_ = false;
  grpc::CallbackServerContext* context_ = nullptr;
  std::string peer_;
  bool finish_issued_ = false;
  std::optional<grpc::Status> finish_with_;
  bool done_ = false;
  std::shared_ptr<void> self_;
};

}  // namespace asio_console::server_internal
