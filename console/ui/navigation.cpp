#include "ui/navigation.hpp"

#include <algorithm>

namespace asio_console::console {
namespace {

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xc0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3f));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xe0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (c & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (c & 0x3f));
  }
}

void erase_last_utf8(std::string& text) {
  while (!text.empty()) {
    const unsigned char last = static_cast<unsigned char>(text.back());
    text.pop_back();
    if ((last & 0xc0) != 0x80) break;  // removed the first byte of a character
  }
}

bool is_list(screen_kind kind) { return kind != screen_kind::task; }

// What enter on a list screen's row opens: a resource screen lists the tasks waiting on it.
screen_kind item_screen(screen_kind list) {
  switch (list) {
    case screen_kind::sites: return screen_kind::site;
    case screen_kind::resources: return screen_kind::resource;
    default: return screen_kind::task;
  }
}

}  // namespace

void navigation::set_rows(const std::vector<std::uint64_t>& ids, std::size_t page_rows) {
  rows_ = ids;
  page_rows_ = std::max<std::size_t>(1, page_rows);
  list_cursor& cursor = stack_.back().cursor;
  if (rows_.empty()) {
    cursor = {};
    return;
  }
  auto it = std::find(rows_.begin(), rows_.end(), cursor.selected_id);
  if (it != rows_.end()) {
    cursor.selected = static_cast<std::size_t>(it - rows_.begin());
  } else {
    cursor.selected = std::min(cursor.selected, rows_.size() - 1);
  }
  cursor.selected_id = rows_[cursor.selected];
  scroll_into_view();
}

void navigation::move_selection(long delta) {
  if (rows_.empty()) return;
  list_cursor& cursor = stack_.back().cursor;
  const long last = static_cast<long>(rows_.size()) - 1;
  cursor.selected = static_cast<std::size_t>(std::clamp(static_cast<long>(cursor.selected) + delta, 0L, last));
  cursor.selected_id = rows_[cursor.selected];
  scroll_into_view();
}

void navigation::scroll_into_view() {
  list_cursor& cursor = stack_.back().cursor;
  if (cursor.selected < cursor.first_visible) cursor.first_visible = cursor.selected;
  if (cursor.selected >= cursor.first_visible + page_rows_) cursor.first_visible = cursor.selected + 1 - page_rows_;
  const std::size_t max_first = rows_.size() > page_rows_ ? rows_.size() - page_rows_ : 0;
  cursor.first_visible = std::min(cursor.first_visible, max_first);
}

void navigation::open(screen_kind kind, std::uint64_t focus) {
  stack_.push_back(frame{kind, focus, {}});
  rows_.clear();
}

ui_effect navigation::handle(const key_press& key) {
  if (typing_) {
    switch (key.what) {
      case action::text: append_utf8(filter_, key.text); return ui_effect::none;
      case action::erase_text: erase_last_utf8(filter_); return ui_effect::none;
      case action::select: typing_ = false; return ui_effect::none;
      case action::back: typing_ = false; filter_.clear(); return ui_effect::none;
      case action::quit: return ui_effect::quit;
      default: return ui_effect::none;
    }
  }
  if (help_ && key.what != action::quit) {
    help_ = false;  // any key closes the help
    return ui_effect::none;
  }
  const long page = static_cast<long>(page_rows_);
  switch (key.what) {
    case action::up: move_selection(-1); break;
    case action::down: move_selection(1); break;
    case action::page_up: move_selection(-page); break;
    case action::page_down: move_selection(page); break;
    case action::top: move_selection(-static_cast<long>(rows_.size())); break;
    case action::bottom: move_selection(static_cast<long>(rows_.size())); break;
    case action::sort_previous:
    case action::sort_next:
      if (screen() == screen_kind::tasks) {
        const int count = static_cast<int>(all_task_columns.size());
        const int step = key.what == action::sort_next ? 1 : count - 1;
        order_.column = all_task_columns[(static_cast<int>(order_.column) + step) % count];
      }
      break;
    case action::invert_sort: order_.descending = !order_.descending; break;
    case action::select:
      if (is_list(screen()) && !rows_.empty()) {
        const std::uint64_t id = rows_[cursor().selected];
        open(item_screen(screen()), id);
      }
      break;
    case action::back:
      if (stack_.size() > 1) {
        stack_.pop_back();
        rows_.clear();
      } else if (!filter_.empty()) {
        filter_.clear();
      }
      break;
    case action::show_tasks:
      stack_.assign(1, frame{screen_kind::tasks, 0, {}});
      rows_.clear();
      break;
    case action::show_sites:
      stack_.assign(1, frame{screen_kind::sites, 0, {}});
      rows_.clear();
      break;
    case action::show_resources:
      stack_.assign(1, frame{screen_kind::resources, 0, {}});
      rows_.clear();
      break;
    case action::start_filter:
      if (is_list(screen())) typing_ = true;
      break;
    case action::toggle_pause:
      return ui_effect::toggle_pause;
    case action::step_back: return ui_effect::step_back;
    case action::step_forward: return ui_effect::step_forward;
    case action::jump_back: return ui_effect::jump_back;
    case action::jump_forward: return ui_effect::jump_forward;
    case action::jump_start: return ui_effect::jump_start;
    case action::jump_end: return ui_effect::jump_end;
    case action::toggle_help: help_ = true; break;
    case action::quit: return ui_effect::quit;
    default: break;
  }
  return ui_effect::none;
}

}  // namespace asio_console::console
