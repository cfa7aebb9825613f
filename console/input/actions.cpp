#include "input/actions.hpp"

#include <ncurses.h>

namespace asio_console::console {
namespace {
constexpr std::uint32_t escape_key = 27;
constexpr std::uint32_t control_c = 3;
constexpr std::uint32_t control_d = 4;
constexpr std::uint32_t control_u = 21;
}  // namespace

key_press map_key(std::uint32_t key, bool is_function_key, bool typing) {
  if (is_function_key) {
    switch (key) {
      case KEY_UP: return {typing ? action::none : action::up};
      case KEY_DOWN: return {typing ? action::none : action::down};
      case KEY_LEFT: return {typing ? action::none : action::sort_previous};
      case KEY_RIGHT: return {typing ? action::none : action::sort_next};
      case KEY_PPAGE: return {typing ? action::none : action::page_up};
      case KEY_NPAGE: return {typing ? action::none : action::page_down};
      case KEY_HOME: return {typing ? action::none : action::top};
      case KEY_END: return {typing ? action::none : action::bottom};
      case KEY_ENTER: return {action::select};
      case KEY_BACKSPACE: return {typing ? action::erase_text : action::back};
      default: return {action::none};
    }
  }
  if (key == control_c) return {action::quit};
  if (key == '\n' || key == '\r') return {action::select};
  if (key == escape_key) return {action::back};
  if (typing) {
    if (key == 127 || key == 8) return {action::erase_text};
    if (key >= 32) return {action::text, static_cast<char32_t>(key)};
    return {action::none};
  }
  switch (key) {
    case 'k': return {action::up};
    case 'j': return {action::down};
    case 'h': return {action::sort_previous};
    case 'l': return {action::sort_next};
    case 'i': return {action::invert_sort};
    case 'g': return {action::top};
    case 'G': return {action::bottom};
    case control_u: return {action::page_up};
    case control_d: return {action::page_down};
    case 't': return {action::show_tasks};
    case 's': return {action::show_sites};
    case 'r': return {action::show_resources};
    case '/': return {action::start_filter};
    case ' ': return {action::toggle_pause};
    case '?': return {action::toggle_help};
    case 'q': return {action::quit};
    case ',': return {action::step_back};
    case '.': return {action::step_forward};
    case '[': return {action::jump_back};
    case ']': return {action::jump_forward};
    case '{': return {action::jump_start};
    case '}': return {action::jump_end};
    case 127: return {action::back};
    default: return {action::none};
  }
}

}  // namespace asio_console::console
