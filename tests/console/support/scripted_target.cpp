#include "support/scripted_target.hpp"

#include <thread>
#include <utility>

namespace asio_console::testing {

scripted_target::scripted_target(target_script script) : script_(std::move(script)) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
  builder.RegisterService(this);
  server_ = builder.BuildAndStart();
}

scripted_target::~scripted_target() {
  stopping_ = true;
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server_->Wait();
}

std::vector<std::uint64_t> scripted_target::paused_watchers() const {
  std::lock_guard lock(mutex_);
  return paused_;
}

bool scripted_target::wait(grpc::ServerContext* context, std::chrono::milliseconds how_long) const {
  const auto until = std::chrono::steady_clock::now() + how_long;
  while (std::chrono::steady_clock::now() < until) {
    if (stopping_ || context->IsCancelled()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return !stopping_ && !context->IsCancelled();
}

grpc::Status scripted_target::WatchUpdates(grpc::ServerContext* context, const v1::WatchUpdatesRequest*,
                                           grpc::ServerWriter<v1::Update>* writer) {
  const int stream = ++streams_;
  bool first = true;
  for (const v1::Update& update : script_.updates(stream)) {
    if (!std::exchange(first, false) && !wait(context, script_.between_updates)) return grpc::Status::OK;
    if (!writer->Write(update)) return grpc::Status::OK;
  }
  if (script_.then_forever) {
    for (int index = 0; !context->IsCancelled(); ++index) {
      if (!writer->Write(script_.then_forever(stream, index))) return grpc::Status::OK;
    }
    return grpc::Status(grpc::StatusCode::CANCELLED, "the console went away");
  }
  if (script_.end_streams) return grpc::Status::OK;
  while (wait(context, std::chrono::milliseconds(50))) {
  }
  return grpc::Status(grpc::StatusCode::CANCELLED, "the console went away");
}

grpc::Status scripted_target::WatchTaskDetails(grpc::ServerContext* context, const v1::TaskDetailsRequest* request,
                                               grpc::ServerWriter<v1::TaskDetails>* writer) {
  v1::TaskDetails details;
  details.set_task_id(request->task_id());
  details.mutable_poll_times()->set_count(1);
  do {
    if (!writer->Write(details)) break;
  } while (wait(context, std::chrono::milliseconds(100)));
  return grpc::Status::OK;
}

grpc::Status scripted_target::Pause(grpc::ServerContext*, const v1::PauseRequest* request, v1::PauseResponse*) {
  {
    std::lock_guard lock(mutex_);
    paused_.push_back(request->watcher_id());
  }
  return grpc::Status(script_.pause_answer, script_.pause_answer == grpc::StatusCode::OK ? "" : "no such watcher");
}

grpc::Status scripted_target::Resume(grpc::ServerContext*, const v1::ResumeRequest*, v1::ResumeResponse*) {
  return grpc::Status(script_.pause_answer, script_.pause_answer == grpc::StatusCode::OK ? "" : "no such watcher");
}

grpc::Status scripted_target::SymbolizeStacks(grpc::ServerContext* context, const v1::SymbolizeStacksRequest* request,
                                              v1::SymbolizeStacksResponse* response) {
  ++symbolize_calls_;
  if (!wait(context, script_.symbolize_delay)) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
  const auto answer = [](std::uint32_t id, v1::Stack* stack, bool awaiting) {
    stack->set_id(id);
    v1::Frame* frame = stack->add_frames();
    frame->set_function("function_" + std::to_string(id) + "()");
    frame->set_file("/src/scripted.cpp");
    frame->set_line(id);
    frame->set_awaiting(awaiting);
  };
  for (std::uint32_t id : request->stack_ids()) answer(id, response->add_stacks(), false);
  for (std::uint32_t id : request->await_stack_ids()) answer(id, response->add_await_stacks(), true);
  return grpc::Status::OK;
}

}  // namespace asio_console::testing
