// A target whose answers a test writes: what each WatchUpdates stream sends, how long
// SymbolizeStacks takes, what Pause says, on a free loopback port, in this process. For what a real
// instrumented process cannot be made to do on cue (a malformed update, a slow symbolization).
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "asio_console/v1/instrument.grpc.pb.h"

namespace asio_console::testing {

struct target_script {
  /// What the n-th stream (from 1) sends; it then stays open until the console leaves, or ends
  /// at once with `end_streams`.
  std::function<std::vector<v1::Update>(int stream)> updates = [](int) { return std::vector<v1::Update>{}; };
  bool end_streams = false;
  /// When set, what each stream sends after `updates`, one after another until the console leaves
  /// (the argument counts from 0): a target that never stops sending.
  std::function<v1::Update(int stream, int index)> then_forever;
  /// How long a stream waits before each of its updates after the first.
  std::chrono::milliseconds between_updates{0};
  /// How long each SymbolizeStacks call takes; every stack gets one frame, "function_<id>()".
  std::chrono::milliseconds symbolize_delay{0};
  /// What Pause and Resume answer.
  grpc::StatusCode pause_answer = grpc::StatusCode::OK;
};

class scripted_target final : public v1::Instrument::Service {
 public:
  explicit scripted_target(target_script script);
  ~scripted_target() override;  // ends every stream and stops the server

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int streams_started() const { return streams_.load(); }
  int symbolize_calls() const { return symbolize_calls_.load(); }
  /// The watcher ids of the Pause calls so far.
  std::vector<std::uint64_t> paused_watchers() const;

  grpc::Status WatchUpdates(grpc::ServerContext* context, const v1::WatchUpdatesRequest* request,
                            grpc::ServerWriter<v1::Update>* writer) override;
  grpc::Status WatchTaskDetails(grpc::ServerContext* context, const v1::TaskDetailsRequest* request,
                                grpc::ServerWriter<v1::TaskDetails>* writer) override;
  grpc::Status Pause(grpc::ServerContext* context, const v1::PauseRequest* request, v1::PauseResponse* response) override;
  grpc::Status Resume(grpc::ServerContext* context, const v1::ResumeRequest* request,
                      v1::ResumeResponse* response) override;
  grpc::Status SymbolizeStacks(grpc::ServerContext* context, const v1::SymbolizeStacksRequest* request,
                               v1::SymbolizeStacksResponse* response) override;

 private:
  // Waits for `how_long`, or less if the call is cancelled or the target stops; false if it was.
  bool wait(grpc::ServerContext* context, std::chrono::milliseconds how_long) const;

  const target_script script_;
  std::atomic<int> streams_{0};
  std::atomic<int> symbolize_calls_{0};
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<std::uint64_t> paused_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace asio_console::testing
