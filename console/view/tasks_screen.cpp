#include "absl/strings/str_cat.h"
#include "model/format.hpp"
#include "view/canvas.hpp"
#include "view/screens.hpp"

namespace asio_console::console {
namespace {

struct column_layout {
  task_column column;
  int width;
  bool right;
};

// Fields take whatever is left on the right.
constexpr column_layout task_columns[] = {
    {task_column::warn, 4, false},  {task_column::id, 7, true},     {task_column::parent, 7, true},
    {task_column::state, 6, false}, {task_column::name, 18, false}, {task_column::total, 8, true},
    {task_column::busy, 8, true},   {task_column::sched, 8, true},  {task_column::idle, 8, true},
    {task_column::polls, 7, true},  {task_column::location, 28, false}, {task_column::fields, 0, false},
};

style state_style(task_state state) {
  switch (state) {
    case task_state::running: return style::running;
    case task_state::scheduled: return style::scheduled;
    case task_state::idle: return style::idle;
    case task_state::completed: return style::completed;
  }
  return style::normal;
}

const char* state_label(task_state state) {
  switch (state) {
    case task_state::running: return "▶ run";
    case task_state::scheduled: return "» sch";
    case task_state::idle: return "⏸ idle";
    case task_state::completed: return "⏹ done";
  }
  return "";
}

std::string cell(const task& t, task_column column, const state& model) {
  const std::int64_t now = model.now_ns();
  switch (column) {
    case task_column::warn: {
      int count = 0;
      for (lint_kind kind : all_lint_kinds) count += t.warnings.contains(kind);
      return count == 0 ? "" : absl::StrCat("⚠ ", count);
    }
    case task_column::id: return absl::StrCat(t.id);
    case task_column::parent: return t.parent_id == 0 ? "-" : absl::StrCat(t.parent_id);
    case task_column::state: return state_label(t.stats.state);
    case task_column::name: return t.name();
    case task_column::total: return format_duration(t.total_ns(now));
    case task_column::busy: return format_duration(t.busy_ns(now));
    case task_column::sched: return format_duration(t.scheduled_ns(now));
    case task_column::idle: return format_duration(t.idle_ns(now));
    case task_column::polls: return absl::StrCat(t.stats.polls);
    case task_column::location: {
      const site* s = model.find_site(t.site_id);
      return s == nullptr ? "" : format_location(s->location);
    }
    case task_column::fields: return format_fields(t);
  }
  return "";
}

}  // namespace

void draw_task_table(const frame_context& context, int top, const std::vector<const task*>& rows, bool show_sort) {
  const task_order order = context.nav.order();
  int x = 0;
  for (const column_layout& c : task_columns) {
    std::string title(column_title(c.column));
    if (show_sort && c.column == order.column) title += order.descending ? "▼" : "▲";
    const int width = c.width == 0 ? std::max(0, screen_columns() - x) : c.width;
    const bool sorted = show_sort && c.column == order.column;
    put(top, x, fit(title, width, true, c.right), sorted ? style::key : style::header);
    x += width + 1;
  }
  const list_cursor& cursor = context.nav.cursor();
  const int page = list_rows(top);
  for (int i = 0; i < page; ++i) {
    const std::size_t index = cursor.first_visible + static_cast<std::size_t>(i);
    if (index >= rows.size()) break;
    const task& t = *rows[index];
    const int y = top + 1 + i;
    const bool selected = index == cursor.selected;
    if (selected) fill_row(y, 0, style::selected);
    x = 0;
    for (const column_layout& c : task_columns) {
      const int width = c.width == 0 ? std::max(0, screen_columns() - x) : c.width;
      style s = style::normal;
      if (c.column == task_column::state) s = state_style(t.stats.state);
      if (c.column == task_column::warn) s = style::warning;
      if (t.completed()) s = style::completed;
      if (selected) s = style::selected;
      put(y, x, fit(cell(t, c.column, context.model), width, true, c.right), s);
      x += width + 1;
    }
  }
  if (rows.empty()) {
    put(top + 2, 2, context.model.ready() ? "no tasks match" : "waiting for the first snapshot…", style::dim);
  }
}

void draw_tasks_screen(const frame_context& context, const std::vector<const task*>& rows) {
  draw_chrome(context, "t tasks  s sites  enter details  ←→ sort  i invert  / filter  space pause  ? help  q quit");
  draw_task_table(context, chrome_height(context), rows, /*show_sort=*/true);
}

}  // namespace asio_console::console
