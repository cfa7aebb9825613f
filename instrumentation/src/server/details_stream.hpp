// One console's WatchTaskDetails stream: the latest details of one task, once per publication.
// If the console has not taken the previous message yet, the new one replaces it (no backlog).
// Same locking discipline as update_stream.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include <grpcpp/grpcpp.h>

#include "asio_console/v1/instrument.pb.h"

namespace asio_console::server_internal {

class details_stream final : public grpc::ServerWriteReactor<v1::TaskDetails> {
 public:
  static std::shared_ptr<details_stream> start(std::uint64_t task_id);
  explicit details_stream(std::uint64_t task_id) : task_id_(task_id) {}

  std::uint64_t task_id() const noexcept { return task_id_; }
  /// Sends `details` now, or as soon as the previous message is written.
  void offer(v1::TaskDetails details);
  void end(grpc::Status status);
  bool done();

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // The gRPC call the holder of the in-flight token must make, decided under the lock and carried
  // out after it (nothing is read from members outside the lock).
  struct action {
    enum { none, write, finish } kind = none;
    grpc::Status status;
  };
  action claim_next();
  void perform(const action& next);

  const std::uint64_t task_id_;
  std::mutex mutex_;
  v1::TaskDetails writing_;
  std::optional<v1::TaskDetails> pending_;
  bool busy_ = false;
  bool finish_issued_ = false;
  std::optional<grpc::Status> finish_with_;
  bool done_ = false;
  std::shared_ptr<details_stream> self_;
};

}  // namespace asio_console::server_internal
