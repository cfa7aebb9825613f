// The link to one instrumented process, as a source of messages (model/message.hpp).
//
// A thread of its own keeps a WatchUpdates stream open and, unless told not to, reconnects with
// exponential backoff when it breaks; every stream begins with stream_started, and each change of
// the link is a link_status message. Another thread follows the details of one task; a third makes
// the calls that requests ask for (symbolization, pause), each within the timeout. Everything they
// learn arrives as messages, in order per kind: take_messages() never waits, wait_messages() waits
// for one or for a deadline. It does nothing else: the model decides, this only carries.
//
// Updates waiting to be taken are bounded, in number and in the tasks they hold: when the taker falls behind, the reader stops reading
// and the server resynchronizes this console (the instrumented process never waits for a console).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "connection/message_source.hpp"
#include "connection/target.hpp"
#include "model/message.hpp"

namespace asio_console::console {

struct live_connection_options {
  absl::Duration timeout = absl::Seconds(5);  // for each call; also said in "no answer within"
  absl::Duration first_backoff = absl::Milliseconds(250);
  absl::Duration max_backoff = absl::Seconds(5);
  std::size_t max_queued_updates = 256;
  // And the tasks they hold (new and changed): a snapshot of a million tasks comes in chunks the
  // model takes a few at a time, not all parsed at once beside it.
  std::size_t max_queued_tasks = 8192;
  bool reconnect = true;  // false: one stream, then link_status::phase::closed
};

/// The most stacks a target symbolizes in one SymbolizeStacks call; a request for more is split.
inline constexpr std::size_t max_stacks_per_request = 1024;

class live_connection final : public message_source {
 public:
  live_connection(target where, live_connection_options options);
  ~live_connection() override;  // cancels every call and joins the threads
  live_connection(const live_connection&) = delete;
  live_connection& operator=(const live_connection&) = delete;

  std::vector<message> take_messages() override;
  std::vector<message> wait_messages(absl::Time deadline) override;
  /// Carries out a model's request in the background.
  void send(request next) override;
  std::string_view name() const override { return where_.text; }

  const target& where() const noexcept { return where_; }

 private:
  void read_updates();
  void read_details(std::uint64_t task_id, std::shared_ptr<grpc::ClientContext> context);
  void run_calls();
  void push(message next);
  void set_link(const link_status& link);  // with the mutex held
  void watch_details(std::uint64_t task_id);
  void symbolize(const symbolize_request& asked);
  void pause(const pause_request& asked);
  // A context for one call, cancelled if the connection is destroyed while it runs.
  std::shared_ptr<grpc::ClientContext> start_call();

  const target where_;
  const live_connection_options options_;
  // A fresh channel for each stream: a channel that failed keeps failing calls with its last error
  // for seconds after the target is back (gRPC's own reconnection backoff), so a restarted target
  // would be missed. Replaced by read_updates, read by the other calls (under mutex_).
  std::shared_ptr<v1::Instrument::Stub> stub_;
  std::shared_ptr<v1::Instrument::Stub> current_stub();

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  link_status link_;
  std::deque<message> messages_;
  std::size_t queued_updates_ = 0;
  std::size_t queued_tasks_ = 0;

  std::shared_ptr<grpc::ClientContext> updates_context_;
  bool restart_requested_ = false;
  std::string restart_reason_;
  std::thread updates_thread_;

  std::uint64_t details_task_ = 0;
  std::shared_ptr<grpc::ClientContext> details_context_;
  std::thread details_thread_;

  std::deque<std::function<void()>> calls_;
  std::shared_ptr<grpc::ClientContext> call_context_;
  std::thread calls_thread_;
};

}  // namespace asio_console::console
