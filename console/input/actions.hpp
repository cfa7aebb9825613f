// What a key press asks for, apart from what any screen does with it.
#pragma once

#include <cstdint>

namespace asio_console::console {

enum class action : std::uint8_t {
  none,
  up, down, page_up, page_down, top, bottom,
  sort_previous, sort_next, invert_sort,
  select, back,
  show_tasks, show_sites, show_resources,
  start_filter, toggle_pause, toggle_help, quit,
  // A replay's position (the keys do nothing live).
  step_back, step_forward, jump_back, jump_forward, jump_start, jump_end,
  // While a filter is being typed: the key is text (see key_press::text).
  text, erase_text,
};

struct key_press {
  action what = action::none;
  char32_t text = 0;  // for action::text
};

/// Maps an ncurses key (a wint_t from get_wch, `is_function_key` when it came as KEY_*) to an
/// action; while `typing` (the filter prompt) printable keys are text and only enter/esc/backspace
/// act.
key_press map_key(std::uint32_t key, bool is_function_key, bool typing);

}  // namespace asio_console::console
