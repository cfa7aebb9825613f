#include "model/task_table.hpp"

#include <algorithm>
#include <optional>
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
  for (const auto& [key, value] : t.fields()) absl::StrAppend(&out, out.empty() ? "" : " ", key, "=", value);
  return out;
}

bool task_matches(const task& t, const state& model, std::string_view filter) {
  if (filter.empty()) return true;
  if (contains_ignoring_case(t.name(), filter)) return true;
  if (const site* s = model.find_site(t.site_id)) {
    if (contains_ignoring_case(format_location(s->location), filter) ||
        contains_ignoring_case(s->location.function, filter)) {
      return true;
    }
  }
  for (const auto& [key, value] : t.fields()) {
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

// Whether a task's key in `column` grows as the model's time advances; nullopt when that cannot
// be told (a key still clamped at 0).
std::optional<bool> key_grows(const task& t, task_column column, std::int64_t key) {
  switch (column) {
    case task_column::total: return !t.completed();
    case task_column::busy: return t.stats.state == task_state::running;
    case task_column::sched: return t.stats.state == task_state::scheduled;
    case task_column::idle:
      if (t.stats.state != task_state::idle) return false;
      return key > 0 ? std::optional<bool>(true) : std::nullopt;
    default: return false;
  }
}

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

// Whether a task's key grows with the model's time: adds it to `out`.
void add_growth(const task& t, task_column column, std::int64_t key, task_listing_growth& out) {
  const std::optional<bool> grows = key_grows(t, column, key);
  if (!grows) {
    out.unknown = true;
  } else {
    (*grows ? out.some_grow : out.some_stay) = true;
  }
}

std::vector<const task*> list_sorted(const state& model, task_order order, std::string_view filter,
                                     task_listing_growth& growth) {
  std::vector<const task*> tasks;
  tasks.reserve(model.tasks().size());
  for (const auto& [id, t] : model.tasks()) {
    if (task_matches(t, model, filter)) tasks.push_back(&t);
  }
  if (tasks.empty()) return tasks;
  const std::int64_t now_ns = model.now_ns();
  switch (order.column) {
    case task_column::name:
      sort_by(tasks, order.descending, [](const task& t) { return std::string_view(t.name()); });
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
      sort_by(tasks, order.descending, [&](const task& t) {
        const std::int64_t key = numeric_key(t, order.column, now_ns);
        add_growth(t, order.column, key, growth);
        return key;
      });
  }
  return tasks;
}

}  // namespace

std::vector<const task*> list_tasks(const state& model, task_order order, std::string_view filter,
                                    bool* moves_with_time) {
  task_listing_growth growth;
  std::vector<const task*> tasks = list_sorted(model, order, filter, growth);
  if (moves_with_time != nullptr) *moves_with_time = growth.moves();
  return tasks;
}

void task_listing::update(const state& model, task_order order, std::string_view filter) {
  const bool same_view = listed_ && order.column == order_.column && order.descending == order_.descending &&
                         filter == filter_;
  const bool time_reorders = growth_.moves() && now_ns_ != model.now_ns();
  if (same_view && !time_reorders && version_ == model.version()) return;
  if (same_view && !time_reorders) {
    if (const std::optional<std::vector<std::uint64_t>> changed = model.tasks_changed_since(version_)) {
      if (move_changed(model, *changed)) {
        version_ = model.version();
        now_ns_ = model.now_ns();
        return;
      }
    }
  }
  order_ = order;
  filter_ = std::string(filter);
  list_all(model);
}

void task_listing::list_all(const state& model) {
  growth_ = {};
  rows_ = list_sorted(model, order_, filter_, growth_);
  ids_.clear();
  ids_.reserve(rows_.size());
  for (const task* t : rows_) ids_.push_back(t->id);
  listed_ = true;
  version_ = model.version();
  now_ns_ = model.now_ns();
}

// Numeric columns only (strings are listed again in full): the changed tasks leave the rows (by
// id: a removed task's pointer dangles), and those that still match take their places, found by
// binary search with the keys at the model's time, then all put in with one pass over the rows.
// False if it cannot be done this way.
bool task_listing::move_changed(const state& model, const std::vector<std::uint64_t>& changed) {
  const task_column column = order_.column;
  if (column == task_column::name || column == task_column::fields || column == task_column::location) return false;
  if (changed.size() > rows_.size() / 16 + 16) return false;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    if (std::binary_search(changed.begin(), changed.end(), ids_[i])) continue;
    rows_[kept] = rows_[i];
    ids_[kept] = ids_[i];
    ++kept;
  }
  rows_.resize(kept);
  ids_.resize(kept);

  const std::int64_t now_ns = model.now_ns();
  // Whether a task with key `a_key` goes before one with `b_key`: the order list_tasks sorts by.
  const auto before = [&](std::int64_t a_key, const task& a, std::int64_t b_key, const task& b) {
    if (a_key != b_key) return order_.descending ? b_key < a_key : a_key < b_key;
    return a.id < b.id;
  };
  struct insertion {
    std::size_t at;  // before the row at this index of the kept rows
    std::int64_t key;
    const task* t;
  };
  std::vector<insertion> insertions;
  for (std::uint64_t id : changed) {
    const task* t = model.find_task(id);
    if (t == nullptr || !task_matches(*t, model, filter_)) continue;
    const std::int64_t key = numeric_key(*t, column, now_ns);
    const auto at = std::partition_point(rows_.begin(), rows_.end(), [&](const task* row) {
      return !before(key, *t, numeric_key(*row, column, now_ns), *row);
    });
    insertions.push_back({static_cast<std::size_t>(at - rows_.begin()), key, t});
    add_growth(*t, column, key, growth_);  // a task that left keeps its mark: safe, not exact
  }
  if (insertions.empty()) return true;
  std::sort(insertions.begin(), insertions.end(), [&](const insertion& a, const insertion& b) {
    return a.at != b.at ? a.at < b.at : before(a.key, *a.t, b.key, *b.t);
  });
  std::vector<const task*> rows;
  std::vector<std::uint64_t> ids;
  rows.reserve(rows_.size() + insertions.size());
  ids.reserve(rows_.size() + insertions.size());
  std::size_t next = 0;
  for (const insertion& in : insertions) {
    rows.insert(rows.end(), rows_.begin() + static_cast<std::ptrdiff_t>(next), rows_.begin() + static_cast<std::ptrdiff_t>(in.at));
    ids.insert(ids.end(), ids_.begin() + static_cast<std::ptrdiff_t>(next), ids_.begin() + static_cast<std::ptrdiff_t>(in.at));
    rows.push_back(in.t);
    ids.push_back(in.t->id);
    next = in.at;
  }
  rows.insert(rows.end(), rows_.begin() + static_cast<std::ptrdiff_t>(next), rows_.end());
  ids.insert(ids.end(), ids_.begin() + static_cast<std::ptrdiff_t>(next), ids_.end());
  rows_ = std::move(rows);
  ids_ = std::move(ids);
  return true;
}

}  // namespace asio_console::console
