// A minimal console for tests: reads one WatchUpdates stream on a thread of its own and keeps a
// model of what it was told (strings resolved, tasks by id, how often each was seen completed).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "asio_console/v1/instrument.grpc.pb.h"

namespace asio_console::testing {

struct task_view {
  std::string name;
  v1::TaskState state = v1::TASK_STATE_UNSPECIFIED;
  v1::TaskOutcome outcome = v1::TASK_OUTCOME_NONE;
  std::uint64_t parent_id = 0;
  std::uint32_t site_id = 0;
  std::uint32_t stack_id = 0;
  std::uint64_t polls = 0;
};

struct console_model {
  std::uint64_t watcher_id = 0;
  std::map<std::uint32_t, std::string> strings;
  std::map<std::uint64_t, task_view> tasks;
  std::map<std::uint64_t, int> completions;  // times a task was reported completed after not being
  int snapshots = 0;
  std::string last_resync_reason;
  v1::Counters counters;  // the latest

  void apply(const v1::Update& update);
  std::optional<task_view> named(const std::string& name) const;
};

class update_reader {
 public:
  explicit update_reader(const std::string& address, std::uint32_t protocol_version = 1);
  ~update_reader();

  /// The next message, or nullopt if none arrives in `timeout` (or the stream ended).
  std::optional<v1::Update> next(std::chrono::milliseconds timeout);
  /// Applies messages to model() until `done(model())` holds; false if `timeout` passes first.
  template <typename Predicate>
  bool read_until(Predicate done, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done(model_)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      auto update = next(left);
      if (!update) return done(model_);
      model_.apply(*update);
    }
    return true;
  }
  console_model& model() { return model_; }

  /// Stops reading (if it was not ended by the server) and returns how the stream ended.
  grpc::Status finish();
  /// True once the server ended the stream.
  bool ended();

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Instrument::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::Update>> reader_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<v1::Update> inbox_;
  std::optional<grpc::Status> status_;
  console_model model_;
};

/// A stub on a fresh channel to `address`.
std::unique_ptr<v1::Instrument::Stub> connect(const std::string& address);

}  // namespace asio_console::testing
