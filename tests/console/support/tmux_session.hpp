// A real terminal for TUI tests: a tmux server of its own (its own socket), one pane running a
// command, keys sent with send-keys and the screen read with capture-pane. Waits are bounded.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace asio_console::testing {

class tmux_session {
 public:
  tmux_session(const std::string& command, int columns, int rows);
  ~tmux_session();  // kills its tmux server
  tmux_session(const tmux_session&) = delete;
  tmux_session& operator=(const tmux_session&) = delete;

  /// The pane's text now, one line per row.
  std::string screen() const;
  /// The pane's text with the escape sequences of its colors and attributes.
  std::string screen_with_attributes() const;
  /// The pane's text with its scrollback (what a program printed after leaving the screen).
  std::string screen_and_history() const;
  /// Sends tmux key names ("Enter", "Escape", "C-c", "j") or literal text (with `literal`).
  void send(const std::vector<std::string>& keys, bool literal = false) const;
  /// Resizes the window.
  void resize(int columns, int rows) const;
  /// Waits until `done(screen())` holds; false (with the last screen in `last`) after `timeout`.
  bool wait_for(const std::function<bool(const std::string&)>& done, std::string* last = nullptr,
                std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;
  /// Waits until the screen contains `text`.
  bool wait_for_text(const std::string& text, std::string* last = nullptr,
                     std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;
  /// Whether the pane shows the alternate screen (a curses program that has not restored the terminal).
  bool alternate_screen() const;

 private:
  std::string tmux(const std::vector<std::string>& args) const;
  std::string socket_;
};

}  // namespace asio_console::testing
