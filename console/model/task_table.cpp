#include "model/task_table.hpp"

#include <algorithm>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "model/format.hpp"
#include "model/wait_reason.hpp"

namespace asio_console::console {

std::string_view column_title(task_column column) noexcept {
  switch (column) {
    case task_column::warn: return "Warn";
    case task_column::id: return "ID";
    case task_column::parent: return "Parent";
    case task_column::state: return "State";
    case task_column::name: return "Name";
    case task_column::total: return "Total";
    case task_column::busy: return "Busy";
    case task_column::sched: return "Sched";
    case task_column::idle: return "Idle";
    case task_column::polls: return "Polls";
    case task_column::location: return "Location";
    case task_column::fields: return "Fields";
  }
  return "";
}

std::string format_fields(const task& t) {
  std::string out;
  for (const auto& [key, value] : t.fields) absl::StrAppend(&out, out.empty() ? "" : " ", key, "=", value);
  return out;
}

bool task_matches(const task& t, const state& model, std::string_view filter) {
  if (filter.empty()) return true;
  if (contains_ignoring_case(t.name, filter)) return true;
  if (const site* s = model.find_site(t.site_id)) {
    if (contains_ignoring_case(format_location(s->location), filter) ||
        contains_ignoring_case(s->location.function, filter)) {
      return true;
    }
  }
  for (const auto& [key, value] : t.fields) {
    if (contains_ignoring_case(absl::StrCat(key, "=", value), filter)) return true;
  }
  if (const std::vector<frame>* waiting = model.find_await_stack(t.stats.await_stack_id)) {
    for (const frame& f : *waiting) {
      if (contains_ignoring_case(f.function, filter)) return true;
    }
    if (contains_ignoring_case(wait_reason(*waiting), filter)) return true;
  }
  return false;
}

namespace {

// A numeric sort key; string columns are compared separately.
std::int64_t numeric_key(const task& t, task_column column, std::int64_t now_ns) {
  switch (column) {
    case task_column::warn: {
      std::int64_t count = 0;
      for (lint_kind kind : all_lint_kinds) count += t.warnings.contains(kind);
      return count;
    }
    case task_column::id: return static_cast<std::int64_t>(t.id);
    case task_column::parent: return static_cast<std::int64_t>(t.parent_id);
    case task_column::state: return static_cast<std::int64_t>(t.stats.state);
    case task_column::total: return t.total_ns(now_ns);
    case task_column::busy: return t.busy_ns(now_ns);
    case task_column::sched: return t.scheduled_ns(now_ns);
    case task_column::idle: return t.idle_ns(now_ns);
    case task_column::polls: return static_cast<std::int64_t>(t.stats.polls);
    default: return 0;
  }
}

template <typename Key>
void sort_by(std::vector<const task*>& tasks, bool descending, Key key_of) {
  using key_type = decltype(key_of(*tasks.front()));
  std::vector<std::pair<key_type, const task*>> keyed;
  keyed.reserve(tasks.size());
  for (const task* t : tasks) keyed.emplace_back(key_of(*t), t);
  std::sort(keyed.begin(), keyed.end(), [descending](const auto& a, const auto& b) {
    if (a.first != b.first) return descending ? b.first < a.first : a.first < b.first;
    return a.second->id < b.second->id;
  });
  for (std::size_t i = 0; i < keyed.size(); ++i) tasks[i] = keyed[i].second;
}

}  // namespace

std::vector<const task*> list_tasks(const state& model, task_order order, std::string_view filter) {
  std::vector<const task*> tasks;
  tasks.reserve(model.tasks().size());
  for (const auto& [id, t] : model.tasks()) {
    if (task_matches(t, model, filter)) tasks.push_back(&t);
  }
  if (tasks.empty()) return tasks;
  const std::int64_t now_ns = model.now_ns();
  switch (order.column) {
    case task_column::name:
      sort_by(tasks, order.descending, [](const task& t) { return std::string_view(t.name); });
      break;
    case task_column::fields:
      sort_by(tasks, order.descending, [](const task& t) { return format_fields(t); });
      break;
    case task_column::location:
      sort_by(tasks, order.descending, [&](const task& t) {
        const site* s = model.find_site(t.site_id);
        return s == nullptr ? std::tuple<std::string_view, std::uint32_t>{}
                            : std::tuple<std::string_view, std::uint32_t>{short_file(s->location.file), s->location.line};
      });
      break;
    default:
      sort_by(tasks, order.descending, [&](const task& t) { return numeric_key(t, order.column, now_ns); });
  }
  return tasks;
}

}  // namespace asio_console::console
