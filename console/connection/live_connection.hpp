// The terminal UI's link to one instrumented process.
//
// A thread of its own keeps a WatchUpdates stream open and reconnects with exponential backoff
// when it breaks; another follows the details of one task. The UI never waits on the network for
// updates: it takes what arrived with take_updates(). The queue of arrived messages is bounded;
// when the UI falls behind, the reader stops reading and the server resynchronizes this console
// (the instrumented process never waits for a console).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "connection/target.hpp"
#include "model/state.hpp"

namespace asio_console::console {

/// What the status line says about the link.
struct link_status {
  enum class phase { connecting, connected, waiting_to_retry } current = phase::connecting;
  std::string last_error;  // one line, empty if none
  absl::Time retry_at;     // when waiting_to_retry
  int attempts = 0;        // streams started so far
};

struct live_connection_options {
  absl::Duration timeout = absl::Seconds(5);
  absl::Duration first_backoff = absl::Milliseconds(250);
  absl::Duration max_backoff = absl::Seconds(5);
  std::size_t max_queued_messages = 256;
};

class live_connection {
 public:
  live_connection(target where, live_connection_options options);
  ~live_connection();  // cancels the streams and joins the threads
  live_connection(const live_connection&) = delete;
  live_connection& operator=(const live_connection&) = delete;

  struct arrivals {
    bool restarted = false;  // a new stream began: reset the state before applying `updates`
    std::vector<v1::Update> updates;
  };
  /// Messages that arrived since the last call, in order.
  arrivals take_updates();
  link_status status() const;

  /// Follows the details of `task_id` (replacing any other), or nothing with 0.
  void watch_details(std::uint64_t task_id);
  /// The latest details of the watched task, if any arrived.
  std::optional<v1::TaskDetails> latest_details() const;

  /// Symbolizes the stacks `model` uses that are not yet; blocks for at most the timeout.
  absl::Status symbolize(state& model);
  /// Pauses or resumes this console's updates (Instrument.Pause / Resume).
  absl::Status set_paused(bool paused, std::uint64_t watcher_id);

  const target& where() const noexcept { return where_; }

 private:
  void read_updates();
  void read_details(std::uint64_t task_id, std::shared_ptr<grpc::ClientContext> context);
  void stop_details_locked(std::unique_lock<std::mutex>& lock);

  const target where_;
  const live_connection_options options_;
  std::unique_ptr<v1::Instrument::Stub> stub_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  link_status status_;
  bool restarted_ = false;
  std::deque<v1::Update> queue_;
  std::shared_ptr<grpc::ClientContext> updates_context_;
  std::thread updates_thread_;

  std::uint64_t details_task_ = 0;
  std::shared_ptr<grpc::ClientContext> details_context_;
  std::optional<v1::TaskDetails> details_;
  std::thread details_thread_;
};

}  // namespace asio_console::console
