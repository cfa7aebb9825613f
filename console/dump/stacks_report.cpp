#include "dump/stacks_report.hpp"

#include <algorithm>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dump/stack_lines.hpp"
#include "model/format.hpp"
#include "model/site_summary.hpp"
#include "model/task_table.hpp"
#include "model/wait_reason.hpp"

namespace asio_console::console {
namespace {

struct task_group {
  const site* where = nullptr;
  std::string wait_reason;
  std::vector<const frame*> waiting;  // visible await frames
  bool await_symbolized = true;
  std::vector<const task*> tasks;
};

// What makes two tasks one group: their site and what is visible of their await stack (its id
// while it is not symbolized).
std::string group_key(const task& t, bool symbolized, const std::vector<const frame*>& waiting,
                      const std::string& reason) {
  std::string key = absl::StrCat(t.site_id, "|", symbolized ? 0 : t.stats.await_stack_id, "|", reason);
  for (const frame* f : waiting) absl::StrAppend(&key, "|", f->function, "@", f->file, ":", f->line);
  return key;
}

std::string states_of(const std::vector<const task*>& tasks) {
  std::uint64_t counts[4] = {};
  for (const task* t : tasks) ++counts[static_cast<int>(t->stats.state)];
  std::string out;
  for (task_state state : {task_state::idle, task_state::scheduled, task_state::running}) {
    const std::uint64_t n = counts[static_cast<int>(state)];
    if (n == 0) continue;
    absl::StrAppend(&out, out.empty() ? "" : ", ", n == tasks.size() ? "" : absl::StrCat(n, " "), to_string(state));
  }
  return out;
}

}  // namespace

void write_stacks_report(std::ostream& out, std::string_view target, const state& model, const frame_filter& frames) {
  const std::int64_t now = model.now_ns();
  std::map<std::string, task_group> by_key;
  for (const auto& [id, t] : model.tasks()) {
    if (t.completed()) continue;
    const std::vector<frame>* await_stack =
        t.stats.await_stack_id != 0 ? model.find_await_stack(t.stats.await_stack_id) : nullptr;
    std::vector<const frame*> waiting;
    std::string reason;
    if (await_stack != nullptr) {
      waiting = frames.visible(*await_stack);
      reason = wait_reason(*await_stack);
    }
    const bool symbolized = t.stats.await_stack_id == 0 || await_stack != nullptr;
    task_group& group = by_key[group_key(t, symbolized, waiting, reason)];
    if (group.tasks.empty()) {
      group.where = model.find_site(t.site_id);
      group.wait_reason = std::move(reason);
      group.waiting = std::move(waiting);
      group.await_symbolized = symbolized;
    }
    group.tasks.push_back(&t);
  }
  std::vector<task_group*> groups;
  for (auto& [key, group] : by_key) groups.push_back(&group);
  std::stable_sort(groups.begin(), groups.end(),
                   [](const task_group* a, const task_group* b) { return a->tasks.size() > b->tasks.size(); });

  std::size_t live = 0;
  for (const task_group* group : groups) live += group->tasks.size();
  out << absl::StrFormat("asio-console dump --stacks of %s: %d live tasks in %d groups, by size\n", target, live,
                         groups.size());
  for (const task_group* group : groups) {
    std::int64_t longest = -1, shortest = -1;
    absl::flat_hash_map<std::uint32_t, std::uint64_t> spawn_stacks;
    bool leak_suspect = false;
    for (const task* t : group->tasks) {
      if (t->stats.state == task_state::idle) {
        const std::int64_t idle = t->idle_for_ns(now);
        longest = std::max(longest, idle);
        shortest = shortest < 0 ? idle : std::min(shortest, idle);
      }
      if (t->stack_id != 0) ++spawn_stacks[t->stack_id];
      leak_suspect = leak_suspect || t->warnings.contains(lint_kind::leak_suspect);
    }
    std::string heading = absl::StrCat("\n", group->tasks.size(), group->tasks.size() == 1 ? " task [" : " tasks [",
                                       states_of(group->tasks));
    if (!group->wait_reason.empty()) absl::StrAppend(&heading, ", ", group->wait_reason);
    if (longest >= 0) {
      absl::StrAppend(&heading, ", idle ", format_duration(longest));
      if (group->tasks.size() > 1 && shortest != longest) absl::StrAppend(&heading, " to ", format_duration(shortest));
    }
    absl::StrAppend(&heading, "]");
    if (group->where != nullptr) {
      absl::StrAppend(&heading, "  spawned at ", format_location(group->where->location), " in ",
                      std::string(short_function(group->where->location.function)));
    }
    if (group->tasks.size() == 1) {
      const task& only = *group->tasks.front();
      absl::StrAppend(&heading, "  task ", only.id, only.name().empty() ? "" : absl::StrCat(" \"", only.name(), "\""));
    }
    if (leak_suspect) absl::StrAppend(&heading, "  [leak-suspect]");
    out << heading << '\n';

    out << "  waiting in:\n";
    if (!group->await_symbolized) {
      out << "    (await stack not symbolized)\n";
    } else if (group->waiting.empty()) {
      out << "    (not suspended in a coroutine of its own)\n";
    } else {
      write_stack_lines(out, group->waiting, "    ");
    }
    std::vector<stack_count> sampled;
    std::uint64_t sampled_tasks = 0;
    for (const auto& [stack, count] : spawn_stacks) {
      sampled.push_back({stack, count});
      sampled_tasks += count;
    }
    std::sort(sampled.begin(), sampled.end(), [](const stack_count& a, const stack_count& b) {
      return a.count != b.count ? a.count > b.count : a.stack_id < b.stack_id;
    });
    if (sampled.empty()) {
      out << "  spawned by: (no sampled spawn stack in this group)\n";
      continue;
    }
    const std::vector<visible_stack> spawned = visible_stacks(sampled, model, frames);
    out << absl::StrFormat("  spawned by (%d of %d sampled):\n", spawned.front().count, sampled_tasks);
    write_stack_lines(out, spawned.front().frames, "    ");
  }
}

}  // namespace asio_console::console
