#include "instrument_service.hpp"

#include "absl/strings/str_cat.h"
#include "publisher.hpp"

namespace asio_console::server_internal {
namespace {

// A stream refused before it starts.
template <typename Message>
class refused_stream final : public grpc::ServerWriteReactor<Message> {
 public:
  explicit refused_stream(grpc::Status status) { this->Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

grpc::ServerUnaryReactor* answer(grpc::CallbackServerContext* context, grpc::Status status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(std::move(status));
  return reactor;
}

constexpr std::size_t max_stacks_per_request = 1024;

}  // namespace

grpc::ServerWriteReactor<v1::Update>* instrument_service::WatchUpdates(grpc::CallbackServerContext* context,
                                                                       const v1::WatchUpdatesRequest* request) {
  const std::uint32_t version = request->protocol_version();
  if (version != 0 && version != v1::PROTOCOL_VERSION_1) {
    return new refused_stream<v1::Update>(grpc::Status(
        grpc::StatusCode::FAILED_PRECONDITION,
        absl::StrCat("this process speaks asio-console protocol version 1, the console asked for ", version)));
  }
  auto stream = update_stream::start(hub_.next_watcher_id(), absl::ToInt64Nanoseconds(options_.publish_interval),
                                     options_.watcher_buffer_bytes, hub_.cut_off_counter(), context);
  hub_.add(stream);
  return stream.get();
}

grpc::ServerWriteReactor<v1::TaskDetails>* instrument_service::WatchTaskDetails(
    grpc::CallbackServerContext* context, const v1::TaskDetailsRequest* request) {
  auto stream = details_stream::start(request->task_id(), context);
  hub_.add(stream);
  return stream.get();
}

grpc::ServerUnaryReactor* instrument_service::Pause(grpc::CallbackServerContext* context,
                                                    const v1::PauseRequest* request, v1::PauseResponse*) {
  if (!hub_.set_paused(request->watcher_id(), true)) {
    return answer(context, grpc::Status(grpc::StatusCode::NOT_FOUND,
                                        absl::StrCat("no watcher ", request->watcher_id())));
  }
  return answer(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* instrument_service::Resume(grpc::CallbackServerContext* context,
                                                     const v1::ResumeRequest* request, v1::ResumeResponse*) {
  if (!hub_.set_paused(request->watcher_id(), false)) {
    return answer(context, grpc::Status(grpc::StatusCode::NOT_FOUND,
                                        absl::StrCat("no watcher ", request->watcher_id())));
  }
  return answer(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* instrument_service::SymbolizeStacks(grpc::CallbackServerContext* context,
                                                              const v1::SymbolizeStacksRequest* request,
                                                              v1::SymbolizeStacksResponse* response) {
  if (static_cast<std::size_t>(request->stack_ids_size()) + static_cast<std::size_t>(request->await_stack_ids_size()) >
      max_stacks_per_request) {
    return answer(context, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                        absl::StrCat("at most ", max_stacks_per_request, " stacks per request")));
  }
  // Symbolizing runs here, on a server thread: the first call loads the debug information once.
  const auto symbolize = [](instrumentation::stack_table& table, std::uint32_t id, v1::Stack& out) {
    out.set_id(id);
    for (const auto& frame : table.symbolize(id)) fill_frame(*out.add_frames(), frame);
  };
  for (std::uint32_t id : request->stack_ids()) symbolize(registry_.stacks(), id, *response->add_stacks());
  for (std::uint32_t id : request->await_stack_ids()) {
    symbolize(registry_.await_stacks(), id, *response->add_await_stacks());
  }
  return answer(context, grpc::Status::OK);
}

}  // namespace asio_console::server_internal
