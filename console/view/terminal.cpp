#include "view/terminal.hpp"

#include <clocale>
#include <csignal>

namespace asio_console::console {
namespace {

volatile std::sig_atomic_t stop_signal = 0;
void request_stop(int) { stop_signal = 1; }

enum color_pair : short { pair_title = 1, pair_running, pair_scheduled, pair_idle, pair_warning, pair_error, pair_key };

}  // namespace

bool terminal::colors_ = false;

terminal::terminal(bool colors) {
  std::setlocale(LC_ALL, "");
  initscr();
  raw();  // Ctrl-C arrives as a key, so quitting always restores the terminal
  noecho();
  keypad(stdscr, TRUE);
  curs_set(0);
  set_escdelay(25);
  struct sigaction action {};
  action.sa_handler = request_stop;
  for (int signal_number : {SIGTERM, SIGHUP, SIGINT}) sigaction(signal_number, &action, nullptr);
  colors_ = colors && has_colors();
  if (colors_) {
    start_color();
    use_default_colors();
    init_pair(pair_title, COLOR_BLACK, COLOR_CYAN);
    init_pair(pair_running, COLOR_GREEN, -1);
    init_pair(pair_scheduled, COLOR_YELLOW, -1);
    init_pair(pair_idle, COLOR_BLUE, -1);
    init_pair(pair_warning, COLOR_YELLOW, -1);
    init_pair(pair_error, COLOR_RED, -1);
    init_pair(pair_key, COLOR_CYAN, -1);
  }
}

terminal::~terminal() {
  curs_set(1);
  endwin();
}

attr_t terminal::attributes(style s) {
  if (!colors_) {
    switch (s) {
      case style::title: return A_REVERSE;
      case style::header: return A_BOLD | A_UNDERLINE;
      case style::selected: return A_REVERSE;
      case style::completed:
      case style::dim: return A_DIM;
      case style::warning:
      case style::error: return A_BOLD;
      default: return A_NORMAL;
    }
  }
  switch (s) {
    case style::title: return COLOR_PAIR(pair_title);
    case style::header: return A_BOLD;
    case style::selected: return A_REVERSE;
    case style::running: return COLOR_PAIR(pair_running);
    case style::scheduled: return COLOR_PAIR(pair_scheduled);
    case style::idle: return COLOR_PAIR(pair_idle);
    case style::completed:
    case style::dim: return A_DIM;
    case style::warning: return COLOR_PAIR(pair_warning) | A_BOLD;
    case style::error: return COLOR_PAIR(pair_error) | A_BOLD;
    case style::key: return COLOR_PAIR(pair_key) | A_BOLD;
    default: return A_NORMAL;
  }
}

std::optional<terminal::key> terminal::next_key(int timeout_ms) {
  timeout(timeout_ms);
  wint_t code = 0;
  const int kind = get_wch(&code);
  if (kind == ERR) return std::nullopt;
  if (kind == KEY_CODE_YES && code == KEY_RESIZE) {
    return key{static_cast<std::uint32_t>(KEY_RESIZE), true};
  }
  return key{static_cast<std::uint32_t>(code), kind == KEY_CODE_YES};
}

bool terminal::stop_requested() { return stop_signal != 0; }

void terminal::clear_frame() { erase(); }

void terminal::present() { refresh(); }

}  // namespace asio_console::console
