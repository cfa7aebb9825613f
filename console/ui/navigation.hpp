// Where the user is in the terminal UI and what the keys do there: screens, selection, sort order,
// filter, help. Pure state (no terminal, no network), so every key is testable. What changes the
// model (pause) is returned as an effect for the UI loop to dispatch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "input/actions.hpp"
#include "model/task_table.hpp"

namespace asio_console::console {

enum class screen_kind : std::uint8_t { tasks, task, sites, site, resources, resource };

/// A list screen's selected row and the first row on screen.
struct list_cursor {
  std::size_t selected = 0;
  std::size_t first_visible = 0;
  std::uint64_t selected_id = 0;  // keeps the selection on the same item when rows move
};

/// What the caller must do after an action, beyond redrawing.
enum class ui_effect : std::uint8_t {
  none, toggle_pause, quit,
  // Move a replay's position: one publication (these pause it), 10 s, to either end.
  step_back, step_forward, jump_back, jump_forward, jump_start, jump_end,
};

class navigation {
 public:
  screen_kind screen() const noexcept { return stack_.back().kind; }
  /// The task a task screen shows, the site a site screen shows, the resource a resource screen shows.
  std::uint64_t focus() const noexcept { return stack_.back().focus; }
  /// The task whose details the current screen shows (0: none).
  std::uint64_t shown_task() const noexcept { return screen() == screen_kind::task ? focus() : 0; }
  bool help_shown() const noexcept { return help_; }
  bool typing_filter() const noexcept { return typing_; }
  const std::string& filter() const noexcept { return filter_; }
  task_order order() const noexcept { return order_; }
  const list_cursor& cursor() const noexcept { return stack_.back().cursor; }

  /// Tells the current list screen which items it shows now (ids in display order) and how many
  /// rows fit; the selection follows its item.
  void set_rows(const std::vector<std::uint64_t>& ids, std::size_t page_rows);

  ui_effect handle(const key_press& key);

 private:
  struct frame {
    screen_kind kind;
    std::uint64_t focus = 0;
    list_cursor cursor;
  };
  void move_selection(long delta);
  void scroll_into_view();
  void open(screen_kind kind, std::uint64_t focus);

  std::vector<frame> stack_{frame{screen_kind::tasks, 0, {}}};
  std::vector<std::uint64_t> rows_;
  std::size_t page_rows_ = 1;
  task_order order_;
  std::string filter_;
  bool typing_ = false;
  bool help_ = false;
};

}  // namespace asio_console::console
