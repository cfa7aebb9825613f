#include "connection/fetch.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace asio_console::console {
namespace {

// Cancels a call at a deadline that the reading thread may move while the call runs.
class call_watchdog {
 public:
  call_watchdog(grpc::ClientContext& context, absl::Time deadline) : context_(context), deadline_(deadline) {
    thread_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      while (!done_) {
        const absl::Time now = absl::Now();
        if (now >= deadline_) {
          fired_ = true;
          context_.TryCancel();
          return;
        }
        changed_.wait_for(lock, absl::ToChronoNanoseconds(deadline_ - now));
      }
    });
  }
  ~call_watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  void move_deadline(absl::Time deadline) {
    std::lock_guard lock(mutex_);
    deadline_ = deadline;
    changed_.notify_all();
  }
  bool fired() {
    std::lock_guard lock(mutex_);
    return fired_;
  }

 private:
  grpc::ClientContext& context_;
  std::mutex mutex_;
  std::condition_variable changed_;
  absl::Time deadline_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;
};

std::vector<frame> frames_of(const v1::Stack& stack) {
  std::vector<frame> frames;
  frames.reserve(stack.frames_size());
  for (const v1::Frame& f : stack.frames()) frames.push_back({f.function(), f.file(), f.line(), f.awaiting()});
  return frames;
}

}  // namespace

absl::Status symbolize_stacks(v1::Instrument::Stub& stub, const target& where, state& model, absl::Duration timeout) {
  const std::vector<std::uint32_t> spawn_ids = model.unsymbolized_stacks();
  const std::vector<std::uint32_t> await_ids = model.unsymbolized_await_stacks();
  // A target symbolizes at most max_stacks_per_request stacks per call.
  std::size_t spawn_next = 0;
  std::size_t await_next = 0;
  while (spawn_next < spawn_ids.size() || await_next < await_ids.size()) {
    v1::SymbolizeStacksRequest request;
    std::size_t room = max_stacks_per_request;
    for (; spawn_next < spawn_ids.size() && room > 0; ++spawn_next, --room) request.add_stack_ids(spawn_ids[spawn_next]);
    for (; await_next < await_ids.size() && room > 0; ++await_next, --room) {
      request.add_await_stack_ids(await_ids[await_next]);
    }
    v1::SymbolizeStacksResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    const grpc::Status status = stub.SymbolizeStacks(&context, request, &response);
    if (!status.ok()) return absl::UnavailableError(describe_failure(status, where, timeout));
    for (const v1::Stack& stack : response.stacks()) model.add_stack(stack.id(), frames_of(stack));
    for (const v1::Stack& stack : response.await_stacks()) model.add_await_stack(stack.id(), frames_of(stack));
  }
  return absl::OkStatus();
}

absl::StatusOr<state> fetch_state(const target& where, const fetch_options& options) {
  auto stub = make_stub(where);
  state model(options.model);
  grpc::ClientContext context;
  v1::WatchUpdatesRequest request;
  request.set_protocol_version(v1::PROTOCOL_VERSION_1);
  // The watchdog ends the call: `timeout` of silence before the snapshot is whole, `sample_for`
  // after. It starts before the call: opening a stream already waits for the connection.
  std::uint64_t wanted = 0;
  absl::Status broken = absl::OkStatus();
  {
    call_watchdog watchdog(context, absl::Now() + options.timeout);
    std::unique_ptr<grpc::ClientReader<v1::Update>> reader = stub->WatchUpdates(&context, request);
    v1::Update update;
    bool stopped_reading = false;  // rather than the stream ending
    while (reader->Read(&update)) {
      broken = model.apply(update);
      if (!broken.ok()) {
        stopped_reading = true;
        break;
      }
      if (model.ready() && wanted == 0) {
        wanted = model.publications() + static_cast<std::uint64_t>(std::max(0, options.extra_publications));
        watchdog.move_deadline(absl::Now() + options.sample_for);
      } else if (!model.ready()) {
        watchdog.move_deadline(absl::Now() + options.timeout);  // a big snapshot: silence is what times out
      }
      if (wanted != 0 && model.publications() >= wanted) {
        stopped_reading = true;
        break;
      }
    }
    if (stopped_reading) context.TryCancel();
    if (!broken.ok()) {
      reader->Finish();
      return absl::FailedPreconditionError(absl::StrCat(where.text, ": ", broken.message()));
    }
    const grpc::Status status = reader->Finish();
    if (!model.ready()) {
      if (watchdog.fired()) {
        return absl::DeadlineExceededError(
            describe_failure(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, ""), where, options.timeout));
      }
      if (status.ok()) return absl::UnavailableError(where.text + " ended the stream before sending a snapshot");
      return absl::UnavailableError(describe_failure(status, where, options.timeout));
    }
  }
  if (absl::Status symbolized = symbolize_stacks(*stub, where, model, options.timeout); !symbolized.ok()) {
    return symbolized;
  }
  return model;
}

}  // namespace asio_console::console
