// One task as the console knows it: what never changes after its spawn, and the stats last sent.
//
// Stats arrive only when they change (a poll, a wake, the finish), so the times of a task that just
// sits in one state are extrapolated to "now" from the state and the moment the stats were read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/lint_kind.hpp"

namespace asio_console::console {

enum class task_state : std::uint8_t { running, scheduled, idle, completed };
enum class task_outcome : std::uint8_t { none, completed, failed, cancelled, dropped };

/// "running", "scheduled", "idle", "completed": the names the JSON format uses.
const char* to_string(task_state state) noexcept;
/// "", "completed", "failed", "cancelled", "dropped".
const char* to_string(task_outcome outcome) noexcept;

/// An Asio operation the task started and Asio has not completed yet (deep mode only).
struct pending_operation {
  std::string operation;    // "async_wait", "async_receive", ...
  std::string object_kind;  // "deadline_timer", "socket", "acceptor", "channel", ...
  std::uint64_t object_id = 0;
  std::optional<std::uint64_t> native_handle;  // a socket's or a descriptor's file descriptor
  std::int64_t since_ns = 0;  // process time
};

// A task's stats are its largest part and a million tasks are common: the small fields share one
// word, and deep mode's lists are kept beside the tasks (task_deep_stats), not in each.
struct task_stats {
  task_state state = task_state::idle;
  task_outcome outcome = task_outcome::none;
  bool pending_work_known = false;  // older recorders do not send it
  // Where the task's coroutines are suspended (state::find_await_stack); 0 while running, before
  // the first suspension, once completed, and from recorders that do not record it.
  std::uint32_t await_stack_id = 0;
  std::int64_t finished_ns = 0;
  std::int64_t last_poll_end_ns = 0;
  std::int64_t busy_ns = 0;
  std::int64_t scheduled_ns = 0;
  std::int64_t idle_ns = 0;
  std::int64_t longest_poll_ns = 0;
  std::uint64_t polls = 0;
  std::uint64_t wakes = 0;
  std::uint64_t self_wakes = 0;
  std::uint64_t pending_work = 0;
  std::int64_t sampled_ns = 0;  // the process time these stats were read at
};

/// Deep mode (state::deep_mode): what a task's last stats said of its Asio operations.
struct task_deep_stats {
  // Every operation the task waits on, oldest first.
  std::vector<pending_operation> pending_ops;
  // The operation whose completion woke its last poll, on resource `object_id`.
  struct wake_source {
    std::string operation;
    std::uint64_t object_id = 0;
  };
  std::optional<wake_source> woken_by;

  bool empty() const noexcept { return pending_ops.empty() && !woken_by; }
};

using task_field = std::pair<std::string, std::string>;

/// The name and fields a task was spawned with (task_options). The model keeps one copy of each
/// distinct pair, shared by every task spawned with it, and a task points at its copy.
struct task_labels {
  std::string name;
  std::vector<task_field> fields;
};
/// The labels of a task spawned with neither.
inline const task_labels no_task_labels;

struct task {
  std::uint64_t id = 0;
  std::uint64_t parent_id = 0;  // 0: spawned outside any task
  const task_labels* labels = &no_task_labels;  // never null; owned by the model
  std::uint32_t site_id = 0;
  std::uint32_t stack_id = 0;  // 0: spawn stack not sampled
  std::int64_t created_ns = 0;
  task_stats stats;
  lint_set warnings;  // set by evaluate_lints

  const std::string& name() const noexcept { return labels->name; }
  const std::vector<task_field>& fields() const noexcept { return labels->fields; }
  bool completed() const noexcept { return stats.state == task_state::completed; }

  // Times at `now_ns` (the process's steady clock), extrapolated from the last stats.
  std::int64_t total_ns(std::int64_t now_ns) const noexcept;
  std::int64_t busy_ns(std::int64_t now_ns) const noexcept;
  std::int64_t scheduled_ns(std::int64_t now_ns) const noexcept;
  std::int64_t idle_ns(std::int64_t now_ns) const noexcept;
  /// How long the task has been idle without a poll in between; 0 unless it is idle.
  std::int64_t idle_for_ns(std::int64_t now_ns) const noexcept;
  /// When that idle time began: the end of its last poll, or its creation before any.
  std::int64_t idle_since_ns() const noexcept { return stats.last_poll_end_ns != 0 ? stats.last_poll_end_ns : created_ns; }
};

}  // namespace asio_console::console
