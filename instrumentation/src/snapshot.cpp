#include "asio_console/instrumentation/snapshot.hpp"

#include <algorithm>

#include "wake_word.hpp"

namespace asio_console::instrumentation {

const char* to_string(task_state state) noexcept {
  switch (state) {
    case task_state::running: return "running";
    case task_state::scheduled: return "scheduled";
    case task_state::idle: return "idle";
    case task_state::completed: return "completed";
  }
  return "unknown";
}

const char* to_string(task_outcome outcome) noexcept {
  switch (outcome) {
    case task_outcome::none: return "none";
    case task_outcome::completed: return "completed";
    case task_outcome::failed: return "failed";
    case task_outcome::cancelled: return "cancelled";
    case task_outcome::dropped: return "dropped";
  }
  return "unknown";
}

namespace {

// The counters a snapshot and counts_of share, and the schedule count the wake word is checked by.
struct counter_reading {
  task_counts counts;
  std::uint64_t schedules = 0;  // since the spawn
  ticks busy = 0;
};

// `overlap` is detail::find_overlap_counters(record).
counter_reading read_counters(const task_record& record, const overlap_counters* overlap) noexcept {
  counter_reading out;
  task_counts& counts = out.counts;
  const bool finished = record.phase.load(std::memory_order_acquire) == record_phase::finished;
  const task_totals totals = totals_of(record, overlap);
  out.schedules = totals.schedules;
  out.busy = totals.busy;
  const std::uint64_t active = totals.active_polls;
  counts.polls = totals.polls;
  counts.wakes = totals.wakes;
  counts.pending_work = static_cast<std::uint64_t>(
      std::max<std::int64_t>(0, record.pending_work.load(std::memory_order_relaxed) -
                                 record.pending_work_base.load(std::memory_order_relaxed)));
  if (finished) {
    counts.state = task_state::completed;
  } else if (active != 0) {
    counts.state = task_state::running;
  } else if (out.schedules > counts.polls) {
    counts.state = task_state::scheduled;
  } else {
    counts.state = task_state::idle;
  }
  return out;
}

}  // namespace

task_counts counts_of(const task_record& record) noexcept {
  const counter_reading reading = read_counters(record, detail::find_overlap_counters(record));
  task_counts counts = reading.counts;
  counts.busy_ns = tick_clock::instance().to_nanoseconds(reading.busy);
  return counts;
}

task_snapshot snapshot_of(const task_record& record, std::int64_t now_ns) {
  const tick_clock& clock = tick_clock::instance();
  task_snapshot out;
  out.id = record.id();
  out.parent_id = record.parent_id;
  if (const task_extras* extras = record.extras.load(std::memory_order_acquire)) {
    out.name = extras->name;
    out.fields = extras->fields;
  }
  out.site_id = record.site_id;
  out.stack = record.stack;

  const overlap_counters* overlap = detail::find_overlap_counters(record);
  const counter_reading reading = read_counters(record, overlap);
  const bool finished = reading.counts.state == task_state::completed;
  out.state = reading.counts.state;
  out.polls = reading.counts.polls;
  out.wakes = reading.counts.wakes;
  out.pending_work = reading.counts.pending_work;
  out.self_wakes = record.self_wakes.load(std::memory_order_relaxed);
  if (overlap != nullptr) out.self_wakes += overlap->self_wakes.load(std::memory_order_relaxed);
  if (const std::atomic<std::uint64_t>* wake_word = detail::find_wake_word(record)) {
    if (const auto woken = deep::detail::read_wake_word(wake_word->load(std::memory_order_relaxed),
                                                          reading.schedules + record.schedules_at_spawn)) {
      out.woken_by_resource = woken->resource_id;
      out.woken_by_operation = woken->operation;
    }
  }
  if (finished) out.outcome = record.outcome.load(std::memory_order_relaxed);

  // Times accumulated so far, then the time they run up to for an unfinished task: read after
  // them, so that no counter is ahead of it (a snapshot of many tasks takes a while, and the
  // reader can be preempted in the middle of one; `now_ns` is when it began).
  ticks busy = record.busy.load(std::memory_order_relaxed);
  ticks scheduled = record.scheduled.load(std::memory_order_relaxed);
  ticks longest_poll = record.longest_poll.load(std::memory_order_relaxed);
  if (overlap != nullptr) {
    busy += overlap->busy.load(std::memory_order_relaxed);
    scheduled += overlap->scheduled.load(std::memory_order_relaxed);
    longest_poll = std::max(longest_poll, overlap->longest_poll.load(std::memory_order_relaxed));
  }
  const ticks poll_edge = record.last_poll_edge.load(std::memory_order_relaxed);
  const ticks finished_at = poll_edge;  // a finished task's last edge is its finish
  const std::int64_t read_ns = finished ? now_ns : std::max(now_ns, clock.to_steady_nanoseconds(now_ticks()));

  out.created_ns = clock.to_steady_nanoseconds(record.created);
  out.finished_ns = finished ? clock.to_steady_nanoseconds(finished_at) : 0;
  const bool running = out.state == task_state::running;
  out.last_poll_end_ns = !running && poll_edge != 0 ? clock.to_steady_nanoseconds(poll_edge) : 0;
  const std::int64_t end_ns = finished ? out.finished_ns : std::max(read_ns, out.created_ns);
  out.total_ns = std::max<std::int64_t>(0, end_ns - out.created_ns);

  out.busy_ns = clock.to_nanoseconds(busy);
  if (running && poll_edge != 0) {
    // Count the poll in progress, up to now.
    out.busy_ns += std::max<std::int64_t>(0, read_ns - clock.to_steady_nanoseconds(poll_edge));
  }
  out.scheduled_ns = clock.to_nanoseconds(scheduled);
  out.idle_ns = std::max<std::int64_t>(0, out.total_ns - out.busy_ns - out.scheduled_ns);
  // Where it is suspended: only while it is (a running task's last record is stale).
  if (out.state == task_state::idle || out.state == task_state::scheduled) {
    out.await_stack = record.await_stack.load(std::memory_order_relaxed);
  }
  out.longest_poll_ns = clock.to_nanoseconds(longest_poll);
  return out;
}

registry_snapshot take_snapshot(registry& from) {
  registry_snapshot out;
  out.now_ns = steady_now_nanoseconds();
  from.visit_records([&](const task_record& record) { out.tasks.push_back(snapshot_of(record, out.now_ns)); });
  std::sort(out.tasks.begin(), out.tasks.end(),
            [](const task_snapshot& a, const task_snapshot& b) { return a.id < b.id; });
  from.visit_sites([&](const site& s) {
    const std::uint64_t finished = s.finished();  // first: a later spawned is never behind it
    out.sites.push_back(
        site_snapshot{s.id(), s.file(), s.function(), s.line(), s.column(), s.spawned(), finished});
  });
  out.counters = from.counters();
  return out;
}

}  // namespace asio_console::instrumentation
