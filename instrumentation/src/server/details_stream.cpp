#include "details_stream.hpp"

namespace asio_console::server_internal {

std::shared_ptr<details_stream> details_stream::start(std::uint64_t task_id, grpc::CallbackServerContext* context) {
  auto stream = std::make_shared<details_stream>(task_id);
  stream->change([&] { stream->keep_alive_until_done(stream, context); });
  return stream;
}

void details_stream::offer(v1::TaskDetails details) {
  change([&] {
    if (!ending()) pending_ = std::move(details);
  });
}

const v1::TaskDetails* details_stream::next_message() {
  if (!pending_) return nullptr;
  writing_ = std::move(*pending_);
  pending_.reset();
  return &writing_;
}

}  // namespace asio_console::server_internal
