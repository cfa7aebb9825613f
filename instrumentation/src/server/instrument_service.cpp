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

// `bytes` as a `Message`, or INVALID_ARGUMENT naming what was expected.
template <typename Message>
grpc::Status parse(const grpc::ByteBuffer& bytes, Message& message) {
  grpc::ByteBuffer copy(bytes);  // shares the slices; the reader consumes its own
  if (!grpc::SerializationTraits<Message>::Deserialize(&copy, &message).ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("malformed request: not a ", Message::descriptor()->full_name()));
  }
  return grpc::Status::OK;
}

template <typename Message>
grpc::Status serialize(const Message& message, grpc::ByteBuffer& bytes) {
  bool own_buffer = false;
  return grpc::SerializationTraits<Message>::Serialize(message, &bytes, &own_buffer);
}

}  // namespace

grpc::ServerWriteReactor<v1::Update>* instrument_service::WatchUpdates(grpc::CallbackServerContext* context,
                                                                       const v1::WatchUpdatesRequest* request) {
  const std::uint32_t version = request->protocol_version();
  if (version != 0 && version != v1::PROTOCOL_VERSION_1) {
    return new refused_stream<v1::Update>(grpc::Status(
        grpc::StatusCode::FAILED_PRECONDITION,
        absl::StrCat("this process speaks asio-console protocol version 1, the console asked for ", version)));
  }
  std::shared_ptr<update_stream> stream;
  grpc::Status opened = hub_.open(context->peer(), [&] {
    stream = update_stream::start(hub_.next_watcher_id(), absl::ToInt64Nanoseconds(options_.publish_interval),
                                  options_.watcher_buffer_bytes, hub_.cut_off_counter(), context);
    return stream;
  });
  if (!opened.ok()) return new refused_stream<v1::Update>(std::move(opened));
  return stream.get();
}

grpc::ServerWriteReactor<v1::TaskDetails>* instrument_service::WatchTaskDetails(
    grpc::CallbackServerContext* context, const v1::TaskDetailsRequest* request) {
  std::shared_ptr<details_stream> stream;
  grpc::Status opened = hub_.open(context->peer(), [&] {
    stream = details_stream::start(request->task_id(), context);
    return stream;
  });
  if (!opened.ok()) return new refused_stream<v1::TaskDetails>(std::move(opened));
  return stream.get();
}

template <typename Request>
grpc::Status instrument_service::set_paused(const grpc::ByteBuffer& request, bool paused) {
  Request parsed;
  if (grpc::Status status = parse(request, parsed); !status.ok()) return status;
  if (!hub_.set_paused(parsed.watcher_id(), paused)) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("no watcher ", parsed.watcher_id()));
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* instrument_service::Pause(grpc::CallbackServerContext* context,
                                                    const grpc::ByteBuffer* request, grpc::ByteBuffer* response) {
  grpc::Status status = set_paused<v1::PauseRequest>(*request, true);
  if (status.ok()) status = serialize(v1::PauseResponse(), *response);
  return answer(context, std::move(status));
}

grpc::ServerUnaryReactor* instrument_service::Resume(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request, grpc::ByteBuffer* response) {
  grpc::Status status = set_paused<v1::ResumeRequest>(*request, false);
  if (status.ok()) status = serialize(v1::ResumeResponse(), *response);
  return answer(context, std::move(status));
}

grpc::Status instrument_service::symbolize(const v1::SymbolizeStacksRequest& request,
                                           v1::SymbolizeStacksResponse& response) {
  if (static_cast<std::size_t>(request.stack_ids_size()) + static_cast<std::size_t>(request.await_stack_ids_size()) >
      max_stacks_per_request) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("at most ", max_stacks_per_request, " stacks per request"));
  }
  // Symbolizing runs here, on a server thread: the first call loads the debug information once.
  const auto symbolize_one = [](instrumentation::stack_table& table, std::uint32_t id, v1::Stack& out) {
    out.set_id(id);
    for (const auto& frame : table.symbolize(id)) fill_frame(*out.add_frames(), frame);
  };
  for (std::uint32_t id : request.stack_ids()) symbolize_one(registry_.stacks(), id, *response.add_stacks());
  for (std::uint32_t id : request.await_stack_ids()) {
    symbolize_one(registry_.await_stacks(), id, *response.add_await_stacks());
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* instrument_service::SymbolizeStacks(grpc::CallbackServerContext* context,
                                                              const grpc::ByteBuffer* request,
                                                              grpc::ByteBuffer* response) {
  v1::SymbolizeStacksRequest parsed;
  grpc::Status status = parse(*request, parsed);
  v1::SymbolizeStacksResponse answered;
  if (status.ok()) status = symbolize(parsed, answered);
  if (status.ok()) status = serialize(answered, *response);
  return answer(context, std::move(status));
}

}  // namespace asio_console::server_internal
