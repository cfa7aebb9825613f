#include "connection/live_connection.hpp"

#include <algorithm>
#include <type_traits>

#include "model/state.hpp"  // check_protocol_version

namespace asio_console::console {

live_connection::live_connection(target where, live_connection_options options)
    : where_(std::move(where)), options_(options), stub_(make_stub(where_, options.timeout)) {
  calls_thread_ = std::thread([this] { run_calls(); });
  updates_thread_ = std::thread([this] { read_updates(); });
}

live_connection::~live_connection() {
  std::thread details;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (updates_context_) updates_context_->TryCancel();
    if (details_context_) details_context_->TryCancel();
    if (call_context_) call_context_->TryCancel();
    details = std::move(details_thread_);
  }
  changed_.notify_all();
  updates_thread_.join();
  calls_thread_.join();  // it joins the details threads it was handed
  if (details.joinable()) details.join();
}

void live_connection::push(message next) {
  {
    std::lock_guard lock(mutex_);
    messages_.push_back(std::move(next));
  }
  changed_.notify_all();
}

void live_connection::set_link(const link_status& link) {
  link_ = link;
  messages_.push_back(link);
  changed_.notify_all();
}

std::vector<message> live_connection::take_messages() {
  std::vector<message> taken;
  {
    std::lock_guard lock(mutex_);
    taken.assign(std::make_move_iterator(messages_.begin()), std::make_move_iterator(messages_.end()));
    messages_.clear();
    queued_updates_ = 0;
    queued_tasks_ = 0;
  }
  changed_.notify_all();  // the reader may have waited for room
  return taken;
}

std::vector<message> live_connection::wait_messages(absl::Time deadline) {
  {
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, absl::ToChronoTime(deadline), [&] { return stopping_ || !messages_.empty(); });
  }
  return take_messages();
}

void live_connection::read_updates() {
  absl::Duration backoff = options_.first_backoff;
  for (std::uint64_t stream = 1;; ++stream) {
    auto context = std::make_shared<grpc::ClientContext>();
    std::shared_ptr<v1::Instrument::Stub> stub =
        stream == 1 ? current_stub() : std::shared_ptr<v1::Instrument::Stub>(make_stub(where_, options_.timeout));
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stub_ = stub;
      updates_context_ = context;
      restart_requested_ = false;  // a new stream is the restart
      link_status link = link_;
      link.current = link_status::phase::connecting;
      ++link.attempts;
      set_link(link);
    }
    v1::WatchUpdatesRequest request;
    request.set_protocol_version(v1::PROTOCOL_VERSION_1);
    std::unique_ptr<grpc::ClientReader<v1::Update>> reader = stub->WatchUpdates(context.get(), request);
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
        messages_.push_back(stream_started{stream});
        link_status link = link_;
        link.current = link_status::phase::connected;
        link.last_error.clear();
        set_link(link);
        backoff = options_.first_backoff;
      }
      // Bounded: wait for the taker rather than grow; the server resyncs a console that lags.
      // One update is let in whatever it holds.
      changed_.wait(lock, [&] {
        return stopping_ || restart_requested_ || queued_updates_ == 0 ||
               (queued_updates_ < options_.max_queued_updates && queued_tasks_ < options_.max_queued_tasks);
      });
      if (stopping_ || restart_requested_) break;
      queued_tasks_ += static_cast<std::size_t>(update.new_tasks_size() + update.changed_stats_size());
      messages_.push_back(std::move(update));
      ++queued_updates_;
      changed_.notify_all();
    }
    const grpc::Status status = reader->Finish();
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    if (restart_requested_) {
      // The model could not apply what came: start over at once, and say why.
      restart_requested_ = false;
      link_status link = link_;
      link.last_error = std::exchange(restart_reason_, {});
      link_ = link;
      continue;
    }
    if (failure.empty()) {
      failure = status.ok() ? where_.text + " ended the stream" : describe_failure(status, where_, options_.timeout);
    }
    link_status link = link_;
    link.last_error = failure;
    if (!options_.reconnect) {
      link.current = link_status::phase::closed;
      set_link(link);
      return;
    }
    link.current = link_status::phase::waiting_to_retry;
    link.retry_at = absl::Now() + backoff;
    set_link(link);
    changed_.wait_for(lock, absl::ToChronoNanoseconds(backoff), [&] { return stopping_; });
    if (stopping_) return;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

void live_connection::send(request next) {
  std::visit(
      [this](auto& asked) {
        using kind = std::decay_t<decltype(asked)>;
        if constexpr (std::is_same_v<kind, watch_details_request>) {
          watch_details(asked.task_id);
        } else if constexpr (std::is_same_v<kind, restart_request>) {
          std::lock_guard lock(mutex_);
          restart_requested_ = true;
          restart_reason_ = asked.reason;
          if (updates_context_) updates_context_->TryCancel();
          changed_.notify_all();
        } else if constexpr (std::is_same_v<kind, seek_request>) {
          // A live process has no other moment to show.
        } else {
          std::lock_guard lock(mutex_);
          calls_.push_back([this, asked = std::move(asked)] {
            if constexpr (std::is_same_v<kind, symbolize_request>) symbolize(asked);
            if constexpr (std::is_same_v<kind, pause_request>) pause(asked);
          });
          changed_.notify_all();
        }
      },
      next);
}

void live_connection::run_calls() {
  for (;;) {
    std::function<void()> call;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || !calls_.empty(); });
      if (calls_.empty()) return;  // stopping, and the threads it was handed are joined
      call = std::move(calls_.front());
      calls_.pop_front();
    }
    call();
  }
}

std::shared_ptr<grpc::ClientContext> live_connection::start_call() {
  auto context = std::make_shared<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
  std::lock_guard lock(mutex_);
  call_context_ = context;
  if (stopping_) context->TryCancel();
  return context;
}

void live_connection::watch_details(std::uint64_t task_id) {
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  if (details_context_) details_context_->TryCancel();
  details_context_.reset();
  details_task_ = task_id;
  if (details_thread_.joinable()) {
    // Cancelled, it ends soon: the calls thread waits for it, not the caller.
    calls_.push_front([finishing = std::make_shared<std::thread>(std::move(details_thread_))] { finishing->join(); });
    changed_.notify_all();
  }
  if (task_id == 0) return;
  details_context_ = std::make_shared<grpc::ClientContext>();
  details_thread_ = std::thread([this, task_id, context = details_context_] { read_details(task_id, context); });
}

std::shared_ptr<v1::Instrument::Stub> live_connection::current_stub() {
  std::lock_guard lock(mutex_);
  return stub_;
}

void live_connection::read_details(std::uint64_t task_id, std::shared_ptr<grpc::ClientContext> context) {
  v1::TaskDetailsRequest request;
  request.set_task_id(task_id);
  std::unique_ptr<grpc::ClientReader<v1::TaskDetails>> reader = current_stub()->WatchTaskDetails(context.get(), request);
  v1::TaskDetails details;
  while (reader->Read(&details)) {
    std::lock_guard lock(mutex_);
    if (details_context_ != context) break;  // another task is watched now
    messages_.push_back(details);
    changed_.notify_all();
  }
  reader->Finish();
}

void live_connection::symbolize(const symbolize_request& asked) {
  // A target symbolizes at most max_stacks_per_request stacks per call: one answer per call.
  std::size_t spawn_next = 0;
  std::size_t await_next = 0;
  while (spawn_next < asked.spawn_ids.size() || await_next < asked.await_ids.size()) {
    stacks_symbolized answer{asked.stream, {}, {}, {}, {}};
    std::size_t room = max_stacks_per_request;
    for (; spawn_next < asked.spawn_ids.size() && room > 0; ++spawn_next, --room) {
      answer.spawn_ids.push_back(asked.spawn_ids[spawn_next]);
    }
    for (; await_next < asked.await_ids.size() && room > 0; ++await_next, --room) {
      answer.await_ids.push_back(asked.await_ids[await_next]);
    }
    v1::SymbolizeStacksRequest request;
    for (std::uint32_t id : answer.spawn_ids) request.add_stack_ids(id);
    for (std::uint32_t id : answer.await_ids) request.add_await_stack_ids(id);
    const std::shared_ptr<grpc::ClientContext> context = start_call();
    const grpc::Status status = current_stub()->SymbolizeStacks(context.get(), request, &answer.response);
    if (!status.ok()) {
      // The rest is not asked for: one error answers all of it.
      answer.spawn_ids.insert(answer.spawn_ids.end(), asked.spawn_ids.begin() + spawn_next, asked.spawn_ids.end());
      answer.await_ids.insert(answer.await_ids.end(), asked.await_ids.begin() + await_next, asked.await_ids.end());
      answer.response.Clear();
      answer.error = describe_failure(status, where_, options_.timeout);
      push(std::move(answer));
      return;
    }
    push(std::move(answer));
  }
}

void live_connection::pause(const pause_request& asked) {
  const std::shared_ptr<grpc::ClientContext> context = start_call();
  grpc::Status status;
  if (asked.paused) {
    v1::PauseRequest request;
    request.set_watcher_id(asked.watcher_id);
    v1::PauseResponse response;
    status = current_stub()->Pause(context.get(), request, &response);
  } else {
    v1::ResumeRequest request;
    request.set_watcher_id(asked.watcher_id);
    v1::ResumeResponse response;
    status = current_stub()->Resume(context.get(), request, &response);
  }
  push(pause_answered{asked.watcher_id, asked.paused, status.ok() ? "" : describe_failure(status, where_, options_.timeout)});
}

}  // namespace asio_console::console
