// One console's WatchTaskDetails stream: the latest details of one task, once per publication.
// If the console has not taken the previous message yet, the new one replaces it (no backlog).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "asio_console/v1/instrument.pb.h"
#include "write_reactor.hpp"

namespace asio_console::server_internal {

class details_stream final : public write_reactor<v1::TaskDetails> {
 public:
  static std::shared_ptr<details_stream> start(std::uint64_t task_id, grpc::CallbackServerContext* context);
  explicit details_stream(std::uint64_t task_id) : task_id_(task_id) {}

  std::uint64_t task_id() const noexcept { return task_id_; }
  /// Sends `details` now, or as soon as the previous message is written.
  void offer(v1::TaskDetails details);

 private:
  const v1::TaskDetails* next_message() override;
  void written(bool) override {}

  const std::uint64_t task_id_;
  v1::TaskDetails writing_;  // not touched while a write is in flight
  std::optional<v1::TaskDetails> pending_;
};

}  // namespace asio_console::server_internal
