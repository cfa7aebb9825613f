// asio_console::console::state: everything a console knows about one instrumented process.
//
// Built only from the update stream (apply) and from symbolized stacks (add_stack,
// add_await_stack); shared by the terminal UI and `dump`, and tested without either. Not
// thread-safe: one thread owns it.
//
// Strings are resolved when a message arrives (the protocol may reuse an id for another string
// later). Completed tasks stay as long as the process keeps them, or, with `retain_completed`,
// for exactly that long after they finished, whatever the process does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "asio_console/v1/instrument.pb.h"
#include "model/site.hpp"
#include "model/task.hpp"

namespace asio_console::console {

/// One frame of a symbolized stack, innermost first.
struct frame {
  std::string function;
  std::string file;
  std::uint32_t line = 0;
  // A suspended coroutine awaiting the frame before it: every frame of an await stack, and the
  // frames continuing a spawn stack past the coroutine that spawned. Its line is the function's.
  bool awaiting = false;
};

/// The process's own totals (Update.counters).
struct process_counters {
  std::uint64_t spawned = 0;
  std::uint64_t finished = 0;
  std::uint64_t live = 0;
  std::uint64_t retained = 0;
  std::uint64_t reclaimed = 0;
  std::uint64_t forced_reclaims = 0;
  std::uint64_t dropped_watchers = 0;
  std::uint64_t unrecorded = 0;  // spawns that ran unrecorded (an executor type asio-console cannot wrap)
};

struct state_options {
  /// How long completed tasks are kept after they finished; nullopt: as long as the process keeps them.
  std::optional<absl::Duration> retain_completed;
  /// How far back each site's live-count history (growth, leak-suspect) reaches.
  absl::Duration growth_window = absl::Seconds(60);
};

/// OK if `update` is of the protocol version this console speaks; else an error that names both.
absl::Status check_protocol_version(const v1::Update& update);

class state {
 public:
  using task_map = absl::flat_hash_map<std::uint64_t, task>;
  using site_map = absl::flat_hash_map<std::uint32_t, site>;

  explicit state(state_options options = {});

  /// Applies the next message of a WatchUpdates stream. An error (another protocol version, an
  /// id used before it was defined) says what was wrong; the state is then reset.
  absl::Status apply(const v1::Update& update);
  /// Forgets everything: the next message must be a snapshot (a new connection).
  void reset();

  /// True once a whole publication (every chunk of the first snapshot) has been applied.
  bool ready() const noexcept { return publications_ > 0; }
  /// Publications applied whole; each adds a sample to every site's history.
  std::uint64_t publications() const noexcept { return publications_; }
  std::int64_t now_ns() const noexcept { return now_ns_; }
  std::int64_t now_unix_ns() const noexcept { return now_unix_ns_; }
  std::int64_t publish_interval_ns() const noexcept { return publish_interval_ns_; }
  std::uint64_t watcher_id() const noexcept { return watcher_id_; }
  const std::string& resync_reason() const noexcept { return resync_reason_; }
  const process_counters& counters() const noexcept { return counters_; }

  const task_map& tasks() const noexcept { return tasks_; }
  task_map& tasks() noexcept { return tasks_; }  // for evaluate_lints, which marks warnings
  const task* find_task(std::uint64_t id) const;
  const site_map& sites() const noexcept { return sites_; }
  const site* find_site(std::uint32_t id) const;

  /// Stores the symbolized frames of an interned spawn stack (see Instrument.SymbolizeStacks).
  void add_stack(std::uint32_t id, std::vector<frame> frames);
  /// The frames of a spawn stack, or nullptr if not symbolized yet.
  const std::vector<frame>* find_stack(std::uint32_t id) const;
  /// Spawn stack ids that tasks use and that are not symbolized yet, ascending.
  std::vector<std::uint32_t> unsymbolized_stacks() const;

  /// The same for await stacks (where tasks are suspended; a separate id space).
  void add_await_stack(std::uint32_t id, std::vector<frame> frames);
  const std::vector<frame>* find_await_stack(std::uint32_t id) const;
  std::vector<std::uint32_t> unsymbolized_await_stacks() const;

 private:
  absl::Status apply_unchecked(const v1::Update& update);
  void end_publication();

  state_options options_;
  absl::flat_hash_map<std::uint32_t, std::string> strings_;
  task_map tasks_;
  site_map sites_;
  absl::flat_hash_map<std::uint32_t, std::vector<frame>> stacks_;
  absl::flat_hash_map<std::uint32_t, std::vector<frame>> await_stacks_;
  process_counters counters_;
  std::uint64_t publications_ = 0;
  bool seen_snapshot_ = false;
  std::int64_t now_ns_ = 0;
  std::int64_t now_unix_ns_ = 0;
  std::int64_t publish_interval_ns_ = 0;
  std::uint64_t watcher_id_ = 0;
  std::string resync_reason_;
};

}  // namespace asio_console::console
