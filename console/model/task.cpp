#include "model/task.hpp"

#include <algorithm>

namespace asio_console::console {

const char* to_string(task_state state) noexcept {
  switch (state) {
    case task_state::running: return "running";
    case task_state::scheduled: return "scheduled";
    case task_state::idle: return "idle";
    case task_state::completed: return "completed";
  }
  return "idle";
}

const char* to_string(task_outcome outcome) noexcept {
  switch (outcome) {
    case task_outcome::none: return "";
    case task_outcome::completed: return "completed";
    case task_outcome::failed: return "failed";
    case task_outcome::cancelled: return "cancelled";
    case task_outcome::dropped: return "dropped";
  }
  return "";
}


namespace {
// Time spent in the current state since the stats were read (nothing for a finished task).
std::int64_t since_sample(const task_stats& stats, task_state state, std::int64_t now_ns) {
  return stats.state == state ? std::max<std::int64_t>(0, now_ns - stats.sampled_ns) : 0;
}
}  // namespace

std::int64_t task::total_ns(std::int64_t now_ns) const noexcept {
  const std::int64_t end = completed() ? stats.finished_ns : std::max(now_ns, stats.sampled_ns);
  return std::max<std::int64_t>(0, end - created_ns);
}

std::int64_t task::busy_ns(std::int64_t now_ns) const noexcept {
  return stats.busy_ns + since_sample(stats, task_state::running, now_ns);
}

std::int64_t task::scheduled_ns(std::int64_t now_ns) const noexcept {
  return stats.scheduled_ns + since_sample(stats, task_state::scheduled, now_ns);
}

std::int64_t task::idle_ns(std::int64_t now_ns) const noexcept {
  // What the total leaves, rather than the sampled idle time plus the time since: the recorder reads
  // each task a little after the publication's time, and idle must never come out above total.
  return std::max<std::int64_t>(0, total_ns(now_ns) - busy_ns(now_ns) - scheduled_ns(now_ns));
}

std::int64_t task::idle_for_ns(std::int64_t now_ns) const noexcept {
  if (stats.state != task_state::idle) return 0;
  return std::max<std::int64_t>(0, now_ns - idle_since_ns());
}

}  // namespace asio_console::console
