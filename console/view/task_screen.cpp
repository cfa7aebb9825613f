#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "model/format.hpp"
#include "model/wait_reason.hpp"
#include "view/canvas.hpp"
#include "view/screens.hpp"

namespace asio_console::console {
namespace {

std::string with_percent(std::int64_t part, std::int64_t whole) {
  const double percent = whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0;
  return absl::StrFormat("%s (%.1f%%)", format_duration(part), percent);
}

int draw_histogram(int row, std::string_view title, const histogram_summary& h) {
  if (h.count == 0) {
    put(row++, 1, absl::StrCat(std::string(title), ": none yet"), style::dim);
    return row;
  }
  put(row, 1, absl::StrCat(std::string(title), " (", h.count, ")"), style::header);
  put(row, 28, absl::StrCat("p50 ", format_duration(h.p50_ns), "  p90 ", format_duration(h.p90_ns), "  p99 ",
                            format_duration(h.p99_ns), "  max ", format_duration(h.max_ns)));
  ++row;
  put(row, 3, format_duration(h.min_ns), style::dim);
  put(row, 12, sparkline(h, std::max(10, std::min(60, screen_columns() - 26))), style::running);
  put(row, 12 + std::max(10, std::min(60, screen_columns() - 26)) + 1, format_duration(h.max_ns), style::dim);
  return row + 1;
}

// "Waiting in": where the task is suspended, innermost first, and for how long it has been idle.
int draw_await_stack(int row, const frame_context& context, const task& t, int max_frames) {
  const std::int64_t now = context.model.now_ns();
  std::string heading = "Waiting in";
  if (t.stats.state == task_state::idle) absl::StrAppend(&heading, "  (idle for ", format_duration(t.idle_for_ns(now)), ")");
  if (t.stats.state == task_state::scheduled) absl::StrAppend(&heading, "  (woken, waiting to run)");
  put(row++, 1, heading, style::header);
  const std::vector<frame>* stack =
      t.stats.await_stack_id != 0 ? context.model.find_await_stack(t.stats.await_stack_id) : nullptr;
  if (t.completed()) {
    put(row++, 3, "nowhere: the task has completed", style::dim);
  } else if (t.stats.state == task_state::running) {
    put(row++, 3, "nowhere: the task is running", style::dim);
  } else if (t.stats.await_stack_id == 0) {
    put(row++, 3, "not suspended in a coroutine of its own", style::dim);
  } else if (stack == nullptr) {
    put(row++, 3, "symbolizing…", style::dim);
  } else {
    const std::string reason = wait_reason(*stack);
    if (!reason.empty()) put(row++, 3, absl::StrCat("awaiting ", reason), style::key);
    const std::vector<const frame*> shown = context.frames.visible(*stack);
    for (std::size_t i = 0; i < shown.size() && static_cast<int>(i) < max_frames; ++i) {
      const frame& f = *shown[i];
      put(row, 3, absl::StrCat("#", i, " ", std::string(short_function(f.function))));
      if (!f.file.empty()) {
        put(row, std::max(3, screen_columns() / 2), absl::StrCat(std::string(short_file(f.file, 3)), ":", f.line), style::dim);
      }
      ++row;
    }
  }
  return row + 1;
}

// "Waits on" (deep mode): each pending operation, its object and for how long.
int draw_pending_operations(int row, const frame_context& context, const task& t) {
  if (!context.model.deep_mode() || t.completed()) return row;
  const task_deep_stats& deep = context.model.deep_stats_of(t.id);
  const std::size_t count = deep.pending_ops.size();
  put(row++, 1, absl::StrCat("Waits on (", count, count == 1 ? " pending operation)" : " pending operations)"),
      style::header);
  if (deep.pending_ops.empty()) put(row++, 3, "nothing: no Asio operation can wake it", style::dim);
  for (const pending_operation& op : deep.pending_ops) {
    std::string line = absl::StrCat(op.operation, " on ", op.object_kind, " #", op.object_id);
    if (op.native_handle) absl::StrAppend(&line, "  fd ", *op.native_handle);
    if (const resource* r = context.model.find_resource(op.object_id)) {
      if (!r->local.empty()) absl::StrAppend(&line, "  local ", r->local);
      if (!r->remote.empty()) absl::StrAppend(&line, "  remote ", r->remote);
    }
    absl::StrAppend(&line, "  for ", format_duration(std::max<std::int64_t>(0, context.model.now_ns() - op.since_ns)));
    put(row++, 3, line);
  }
  if (const auto& woken = deep.woken_by) {
    const resource* r = context.model.find_resource(woken->object_id);
    put(row++, 3,
        absl::StrCat("last woken by ", woken->operation, " on ", r != nullptr ? r->kind : "resource", " #",
                     woken->object_id),
        style::dim);
  }
  return row + 1;
}

}  // namespace

std::string sparkline(const histogram_summary& histogram, int columns) {
  static constexpr const char* bars[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  if (columns <= 0 || histogram.buckets.empty()) return std::string(static_cast<std::size_t>(std::max(0, columns)), ' ');
  // Columns cover [min, max] on a log scale: durations spread over orders of magnitude.
  const double low = std::log(std::max<double>(1, static_cast<double>(histogram.min_ns)));
  const double high = std::log(std::max<double>(2, static_cast<double>(histogram.max_ns) + 1));
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(columns), 0);
  for (const histogram_bucket& bucket : histogram.buckets) {
    const double middle = std::log(std::max<double>(1, (static_cast<double>(bucket.lower_ns) + static_cast<double>(bucket.upper_ns)) / 2));
    const double position = high > low ? (middle - low) / (high - low) : 0;
    const auto column = static_cast<std::size_t>(std::clamp(position * columns, 0.0, columns - 1.0));
    counts[column] += bucket.count;
  }
  const std::uint64_t peak = *std::max_element(counts.begin(), counts.end());
  std::string out;
  for (std::uint64_t count : counts) {
    const int level = count == 0 ? 0 : 1 + static_cast<int>(7.0 * static_cast<double>(count) / static_cast<double>(peak));
    out += bars[std::min(level, 8)];
  }
  return out;
}

void draw_task_screen(const frame_context& context) {
  const task* shown = context.model.find_task(context.nav.focus());
  draw_chrome(context, "esc back  t tasks  s sites  space pause  ? help  q quit");
  int row = chrome_height(context);
  if (shown == nullptr) {
    put(row + 1, 2, absl::StrCat("task ", context.nav.focus(), " is gone (the process no longer keeps it)"), style::dim);
    return;
  }
  const task& t = *shown;
  const std::int64_t now = context.model.now_ns();
  const std::int64_t total = t.total_ns(now);
  put(row++, 1,
      absl::StrCat("Task ", t.id, t.name().empty() ? "" : absl::StrCat(" \"", t.name(), "\""), "   ", to_string(t.stats.state),
                   t.stats.outcome != task_outcome::none ? absl::StrCat(" (", to_string(t.stats.outcome), ")") : "",
                   "   parent ", t.parent_id == 0 ? "none" : absl::StrCat(t.parent_id)),
      style::header);
  if (const site* s = context.model.find_site(t.site_id)) {
    put(row++, 1, absl::StrCat("Spawned at ", s->location.file, ":", s->location.line, "  in ", s->location.function));
  }
  if (!t.fields().empty()) put(row++, 1, absl::StrCat("Fields     ", format_fields(t)));
  put(row++, 1, absl::StrCat("Total ", format_duration(total), "   Busy ", with_percent(t.busy_ns(now), total), "   Scheduled ",
                             with_percent(t.scheduled_ns(now), total), "   Idle ", with_percent(t.idle_ns(now), total)));
  put(row++, 1, absl::StrCat("Polls ", t.stats.polls, "   Wakes ", t.stats.wakes, " (", t.stats.self_wakes, " self)",
                             "   Longest poll ", format_duration(t.stats.longest_poll_ns),
                             t.stats.pending_work_known ? absl::StrCat("   Pending work ", t.stats.pending_work) : ""));
  for (lint_kind kind : all_lint_kinds) {
    if (t.warnings.contains(kind)) {
      put(row++, 1, absl::StrCat("⚠ ", describe_warning(kind, t, context.model, context.model.options().thresholds)), style::warning);
    }
  }
  ++row;
  row = draw_await_stack(row, context, t, /*max_frames=*/6);
  row = draw_pending_operations(row, context, t);
  if (const task_details* details = context.model.details(); details != nullptr && details->task_id == t.id) {
    row = draw_histogram(row, "Poll times", details->poll_times);
    row = draw_histogram(row, "Scheduled times", details->scheduled_times);
    if (!details->note.empty()) put(row++, 1, details->note, style::dim);
  } else {
    put(row++, 1, "Poll and scheduled times: waiting for details…", style::dim);
  }
  ++row;
  const std::vector<frame>* stack = t.stack_id != 0 ? context.model.find_stack(t.stack_id) : nullptr;
  put(row++, 1, "Spawn stack (library frames left out)", style::header);
  if (t.stack_id == 0) {
    put(row++, 3, "not sampled (see ASIO_CONSOLE_STACKS)", style::dim);
  } else if (stack == nullptr) {
    put(row++, 3, "symbolizing…", style::dim);
  } else {
    const std::vector<const frame*> shown = context.frames.visible(*stack);
    for (std::size_t i = 0; i < shown.size() && row < screen_rows() - 4; ++i) {
      const frame& f = *shown[i];
      // Frames past the coroutine that spawned are its awaiters, suspended: marked with "⤷".
      put(row, 3, absl::StrCat("#", i, f.awaiting ? " ⤷ " : " ", std::string(short_function(f.function))));
      if (!f.file.empty()) put(row, std::max(3, screen_columns() / 2), absl::StrCat(std::string(short_file(f.file, 3)), ":", f.line), style::dim);
      ++row;
    }
  }
  const state::task_ids& children = context.model.children_of(t.id);
  if (row < screen_rows() - 2) {
    put(row++, 1, absl::StrCat("Children (", children.size(), ")"), style::header);
    for (std::uint64_t child_id : children) {
      if (row >= screen_rows() - 1) break;
      const task* child = context.model.find_task(child_id);
      put(row++, 3, absl::StrCat(child->id, "  ", child->name(), "  ", to_string(child->stats.state), "  ",
                                 format_duration(child->total_ns(now))));
    }
  }
}

}  // namespace asio_console::console
