// A consistent, self-contained copy of what the recorder knows: every live and retained task with
// its derived state and times in nanoseconds, and every spawn site with its counters. Taking one
// visits the registry under its reader lock (spawns and resumes are not blocked); the result is a
// plain value, safe to keep and to pass between threads.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "asio_console/instrumentation/registry.hpp"
#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console::instrumentation {

enum class task_state : std::uint8_t { running, scheduled, idle, completed };

/// "running", "scheduled", "idle" or "completed": the names the wire format and JSON use.
const char* to_string(task_state state) noexcept;
/// "none", "completed", "failed", "cancelled" or "dropped".
const char* to_string(task_outcome outcome) noexcept;

struct task_snapshot {
  std::uint64_t id = 0;
  std::uint64_t parent_id = 0;  // 0: spawned outside any task
  std::string name;
  std::vector<std::pair<std::string, std::string>> fields;
  std::uint32_t site_id = 0;
  stack_id stack = 0;  // 0: spawn stack not sampled
  // Where the task's coroutines are suspended (registry::await_stacks()); 0 while it runs, once it
  // completed, before its first suspension, and when it is suspended outside coroutines of its own.
  stack_id await_stack = 0;
  task_state state = task_state::idle;
  task_outcome outcome = task_outcome::none;

  // steady_clock nanoseconds since its epoch
  std::int64_t created_ns = 0;
  std::int64_t finished_ns = 0;        // 0 while not finished
  std::int64_t last_poll_end_ns = 0;   // 0 before the first poll ends, and while one runs

  // Durations in nanoseconds. busy is the time the task's polls held a thread, scheduled the time it
  // waited in a run queue after a wake, idle the rest: total = busy + scheduled + idle. Polls of one
  // task that run at once on two threads (awaitable-operator children) each count as busy, like CPU
  // time; idle is then clamped at zero.
  std::int64_t total_ns = 0;
  std::int64_t busy_ns = 0;
  std::int64_t scheduled_ns = 0;
  std::int64_t idle_ns = 0;
  std::int64_t longest_poll_ns = 0;

  std::uint64_t polls = 0;
  std::uint64_t wakes = 0;       // every wake after the spawn, self-wakes included
  std::uint64_t self_wakes = 0;  // wakes from inside the task's own poll (yields)
  // Executor copies holding outstanding work for the task: 0 while idle means no Asio operation
  // will resume it.
  std::uint64_t pending_work = 0;
  // Deep mode: the operation whose completion woke the task's last poll (the id of its resource,
  // see resources.hpp, and its name); empty when something else woke it or before any wake.
  std::uint64_t woken_by_resource = 0;
  std::string woken_by_operation;
};

struct site_snapshot {
  std::uint32_t id = 0;
  std::string file;
  std::string function;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::uint64_t spawned = 0;
  std::uint64_t finished = 0;
  std::uint64_t live() const noexcept { return spawned - finished; }
};

struct registry_snapshot {
  std::int64_t now_ns = 0;  // steady_clock nanoseconds when it was taken
  std::vector<task_snapshot> tasks;  // ordered by id
  std::vector<site_snapshot> sites;  // ordered by id
  registry_counters counters;
};

/// What a record's counters say, read as snapshot_of reads them, without copying its strings.
struct task_counts {
  task_state state = task_state::idle;
  std::uint64_t polls = 0;
  std::uint64_t wakes = 0;
  std::uint64_t pending_work = 0;
  std::int64_t busy_ns = 0;  // polls that ended (the one in progress is not counted yet)
};
task_counts counts_of(const task_record& record) noexcept;

/// The counters that only rise, raw: a few loads, for the registry to add up over every record
/// it reclaims. Schedules are read first: polls only follow schedules, so polls read after them
/// are never behind, and wakes <= polls holds even while the task runs on another thread.
struct task_totals {
  std::uint64_t schedules = 0;  // since the spawn; the first is the spawn's dispatch
  std::uint64_t polls = 0;
  std::uint64_t wakes = 0;
  std::uint64_t active_polls = 0;
  ticks busy = 0;
};
/// `overlap` is detail::find_overlap_counters(record).
inline task_totals totals_of(const task_record& record, const overlap_counters* overlap) noexcept {
  task_totals out;
  out.schedules = detail::schedules_of(record, overlap) - record.schedules_at_spawn;
  const std::uint64_t poll_word = record.poll_word.load(std::memory_order_acquire);
  out.active_polls = poll_word & task_record::active_poll_mask;
  out.polls = ((poll_word & ~task_record::active_poll_mask) - record.poll_word_at_spawn) / task_record::started_poll_one;
  out.wakes = out.schedules > 0 ? out.schedules - 1 : 0;
  out.busy = record.busy.load(std::memory_order_relaxed);
  if (overlap != nullptr) [[unlikely]] out.busy += overlap->busy.load(std::memory_order_relaxed);
  return out;
}
inline task_totals totals_of(const task_record& record) noexcept {
  return totals_of(record, detail::find_overlap_counters(record));
}

/// Copies one record. `now` is the steady-clock time durations of unfinished tasks run up to.
task_snapshot snapshot_of(const task_record& record, std::int64_t now_ns);

/// Snapshot of the whole registry.
registry_snapshot take_snapshot(registry& from = registry::instance());

}  // namespace asio_console::instrumentation
