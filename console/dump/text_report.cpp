#include "dump/text_report.hpp"

#include <algorithm>
#include <array>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dump/stack_lines.hpp"
#include "model/format.hpp"
#include "model/resource_list.hpp"
#include "model/site_diagnosis.hpp"
#include "model/site_summary.hpp"
#include "model/task_table.hpp"

namespace asio_console::console {
namespace {

std::string warn_marks(const task& t) {
  std::string marks;
  for (lint_kind kind : all_lint_kinds) {
    if (t.warnings.contains(kind)) marks += marks.empty() ? std::string(lint_name(kind)) : "," + std::string(lint_name(kind));
  }
  return marks;
}

int warning_count(const task& t) {
  int count = 0;
  for (lint_kind kind : all_lint_kinds) count += t.warnings.contains(kind);
  return count;
}

// Deep mode: the open resources, as the resources view lists them, and how many closed ones are kept.
void write_resources(std::ostream& out, const state& model) {
  const std::vector<const resource*> rows = list_resources(model, "");
  const std::size_t open = static_cast<std::size_t>(
      std::count_if(rows.begin(), rows.end(), [](const resource* r) { return !r->closed(); }));
  out << absl::StrFormat("\nResources (deep mode): %d open, %d closed and kept\n", open, rows.size() - open);
  out << absl::StrFormat("  %8s %-15s %6s %-22s %-22s %7s %8s %6s %8s\n", "ID", "Kind", "FD", "Local", "Remote",
                         "Pending", "Started", "Tasks", "Idle");
  const std::int64_t now = model.now_ns();
  for (const resource* r : rows) {
    if (r->closed()) continue;
    out << absl::StrFormat("  %8d %-15s %6s %-22s %-22s %7d %8d %6d %8s\n", r->id, r->kind,
                           r->native_handle ? absl::StrCat(*r->native_handle) : "-", r->local.empty() ? "-" : r->local,
                           r->remote.empty() ? "-" : r->remote, r->pending_ops, r->ops_started,
                           model.tasks_waiting_on(r->id).size(),
                           r->pending_ops != 0 ? "-" : format_duration(r->idle_for_ns(now)));
  }
}

}  // namespace

void write_text_report(std::ostream& out, std::string_view target, const state& model,
                       const frame_filter& frames) {
  const std::vector<warning_summary>& warnings = model.lints().warnings;
  const std::array<std::uint64_t, 4>& by_state = model.tasks_by_state();
  const process_counters& c = model.counters();
  out << absl::StrFormat("asio-console dump of %s: %d live tasks (%d running, %d scheduled, %d idle), %d completed shown\n",
                         target, c.live, by_state[0], by_state[1], by_state[2], by_state[3]);
  out << absl::StrFormat("spawned %d, finished %d since the process started\n", c.spawned, c.finished);
  if (!model.await_stacks_off_reason().empty()) {
    out << "no await stacks: " << model.await_stacks_off_reason() << '\n';
  }
  if (c.unrecorded != 0) {
    out << absl::StrFormat("%d more spawns ran unrecorded: their awaitable's executor type cannot carry asio-console's "
                           "(see README, \"Concrete executor types\")\n",
                           c.unrecorded);
  }
  if (c.dropped_watchers != 0) {
    out << absl::StrFormat("%d consoles were cut off for falling behind\n", c.dropped_watchers);
  }
  out << '\n';

  out << "Warnings\n";
  if (warnings.empty()) out << "  none\n";
  for (const warning_summary& w : warnings) out << "  ! " << w.message << " [" << lint_name(w.lint) << "]\n";

  out << "\nSites, by live tasks\n";
  out << absl::StrFormat("  %8s %8s %9s %9s %11s  %s\n", "Live", "Idle", "Spawned", "Completed", "Growth/min",
                         "Location");
  const std::vector<site_summary> sites = summarize_sites(model);
  // Sites with tasks idle too long get their stacks printed like leak suspects.
  absl::flat_hash_set<std::uint32_t> idle_too_long_sites;
  for (const auto& [id, t] : model.tasks()) {
    if (t.warnings.contains(lint_kind::idle_too_long)) idle_too_long_sites.insert(t.site_id);
  }
  for (const site_summary& s : sites) {
    out << absl::StrFormat("  %8d %8d %9d %9d %+11.1f  %s  %s%s\n", s.live, s.idle, s.spawned, s.completed,
                           s.growth_per_minute, format_location(s.where->location),
                           short_function(s.where->location.function), s.leak_suspect ? "  [leak-suspect]" : "");
    if (!(s.leak_suspect || idle_too_long_sites.contains(s.where->id) || &s == &sites.front())) continue;
    if (const std::string diagnosis = diagnose_site(s, model, frames); !diagnosis.empty()) {
      out << "      " << diagnosis << '\n';
    }
    if (!s.await_stacks.empty()) {
      const std::vector<visible_stack> waiting = visible_stacks(s.await_stacks, model, frames, stack_kind::await);
      const visible_stack& top = waiting.front();
      out << absl::StrFormat("      %d of %d idle tasks waiting in%s:\n", top.count, s.idle,
                             top.wait_reason.empty() ? "" : absl::StrCat(" (", top.wait_reason, ")"));
      write_stack_lines(out, top.frames, "        ");
    }
    if (!s.stacks.empty()) {
      std::uint64_t sampled = 0;
      for (const stack_count& stack : s.stacks) sampled += stack.count;
      const std::vector<visible_stack> stacks = visible_stacks(s.stacks, model, frames);
      out << absl::StrFormat("      top spawn stack, %d of %d sampled tasks (library frames left out):\n",
                             stacks.front().count, sampled);
      write_stack_lines(out, stacks.front().frames, "        ");
    }
  }

  if (model.deep_mode()) write_resources(out, model);

  out << "\nTasks, by total time\n";
  out << absl::StrFormat("  %-8s %8s %8s %-9s %-20s %8s %8s %8s %8s %8s  %-28s %s\n", "Warn", "ID", "Parent", "State",
                         "Name", "Total", "Busy", "Sched", "Idle", "Polls", "Location", "Fields");
  const std::int64_t now = model.now_ns();
  for (const task* t : list_tasks(model, {task_column::total, true})) {
    const site* s = model.find_site(t->site_id);
    out << absl::StrFormat("  %-8s %8d %8s %-9s %-20s %8s %8s %8s %8s %8d  %-28s %s%s\n",
                           t->warnings.empty() ? "" : absl::StrCat("!", warning_count(*t)), t->id,
                           t->parent_id != 0 ? absl::StrCat(t->parent_id) : "-", to_string(t->stats.state),
                           t->name(), format_duration(t->total_ns(now)), format_duration(t->busy_ns(now)),
                           format_duration(t->scheduled_ns(now)), format_duration(t->idle_ns(now)), t->stats.polls,
                           s != nullptr ? format_location(s->location) : "", format_fields(*t),
                           t->warnings.empty() ? "" : absl::StrCat("  [", warn_marks(*t), "]"));
  }
}

}  // namespace asio_console::console
