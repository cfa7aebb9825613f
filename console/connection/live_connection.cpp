#include "connection/live_connection.hpp"

#include <algorithm>

#include "connection/fetch.hpp"

namespace asio_console::console {

live_connection::live_connection(target where, live_connection_options options)
    : where_(std::move(where)), options_(options), stub_(make_stub(where_)) {
  updates_thread_ = std::thread([this] { read_updates(); });
}

live_connection::~live_connection() {
  {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    if (updates_context_) updates_context_->TryCancel();
    stop_details_locked(lock);
  }
  changed_.notify_all();
  updates_thread_.join();
}

void live_connection::read_updates() {
  absl::Duration backoff = options_.first_backoff;
  for (;;) {
    auto context = std::make_shared<grpc::ClientContext>();
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      updates_context_ = context;
      status_.current = link_status::phase::connecting;
      ++status_.attempts;
    }
    v1::WatchUpdatesRequest request;
    request.set_protocol_version(v1::PROTOCOL_VERSION_1);
    std::unique_ptr<grpc::ClientReader<v1::Update>> reader = stub_->WatchUpdates(context.get(), request);
    bool first = true;
    v1::Update update;
    std::string failure;
    while (reader->Read(&update)) {
      std::unique_lock lock(mutex_);
      if (first) {
        if (absl::Status version = check_protocol_version(update); !version.ok()) {
          failure = where_.text + ": " + std::string(version.message());
          context->TryCancel();
          break;
        }
        first = false;
        restarted_ = true;
        queue_.clear();
        status_.current = link_status::phase::connected;
        status_.last_error.clear();
        backoff = options_.first_backoff;
      }
      // Bounded: wait for the UI rather than grow; the server resyncs a console that lags.
      changed_.wait(lock, [&] { return stopping_ || queue_.size() < options_.max_queued_messages; });
      if (stopping_) break;
      queue_.push_back(std::move(update));
    }
    const grpc::Status status = reader->Finish();
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    if (failure.empty()) {
      failure = status.ok() ? where_.text + " ended the stream" : describe_failure(status, where_, options_.timeout);
    }
    status_.last_error = failure;
    status_.current = link_status::phase::waiting_to_retry;
    status_.retry_at = absl::Now() + backoff;
    changed_.wait_for(lock, absl::ToChronoNanoseconds(backoff), [&] { return stopping_; });
    if (stopping_) return;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

live_connection::arrivals live_connection::take_updates() {
  arrivals result;
  {
    std::lock_guard lock(mutex_);
    result.restarted = std::exchange(restarted_, false);
    result.updates.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
    queue_.clear();
  }
  changed_.notify_all();
  return result;
}

link_status live_connection::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void live_connection::stop_details_locked(std::unique_lock<std::mutex>& lock) {
  if (details_context_) details_context_->TryCancel();
  details_context_.reset();
  details_.reset();
  details_task_ = 0;
  if (details_thread_.joinable()) {
    std::thread finishing = std::move(details_thread_);
    lock.unlock();
    finishing.join();
    lock.lock();
  }
}

void live_connection::watch_details(std::uint64_t task_id) {
  std::unique_lock lock(mutex_);
  if (task_id == details_task_ && details_thread_.joinable()) return;
  stop_details_locked(lock);
  if (task_id == 0 || stopping_) return;
  details_task_ = task_id;
  details_context_ = std::make_shared<grpc::ClientContext>();
  details_thread_ = std::thread([this, task_id, context = details_context_] { read_details(task_id, context); });
}

void live_connection::read_details(std::uint64_t task_id, std::shared_ptr<grpc::ClientContext> context) {
  v1::TaskDetailsRequest request;
  request.set_task_id(task_id);
  std::unique_ptr<grpc::ClientReader<v1::TaskDetails>> reader = stub_->WatchTaskDetails(context.get(), request);
  v1::TaskDetails details;
  while (reader->Read(&details)) {
    std::lock_guard lock(mutex_);
    if (details_task_ == task_id) details_ = details;
  }
  reader->Finish();
}

std::optional<v1::TaskDetails> live_connection::latest_details() const {
  std::lock_guard lock(mutex_);
  return details_;
}

absl::Status live_connection::symbolize(state& model) {
  return symbolize_stacks(*stub_, where_, model, options_.timeout);
}

absl::Status live_connection::set_paused(bool paused, std::uint64_t watcher_id) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
  grpc::Status status;
  if (paused) {
    v1::PauseRequest request;
    request.set_watcher_id(watcher_id);
    v1::PauseResponse response;
    status = stub_->Pause(&context, request, &response);
  } else {
    v1::ResumeRequest request;
    request.set_watcher_id(watcher_id);
    v1::ResumeResponse response;
    status = stub_->Resume(&context, request, &response);
  }
  if (!status.ok()) return absl::UnavailableError(describe_failure(status, where_, options_.timeout));
  return absl::OkStatus();
}

}  // namespace asio_console::console
