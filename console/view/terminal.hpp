// The terminal while the UI runs: curses mode on construction, the terminal exactly as it was on
// destruction (also after SIGINT, SIGTERM or SIGHUP, which only ask the loop to stop).
#pragma once

#include <ncurses.h>

#include <cstdint>
#include <optional>

#include "view/canvas.hpp"

namespace asio_console::console {

class terminal {
 public:
  explicit terminal(bool colors);
  ~terminal();
  terminal(const terminal&) = delete;
  terminal& operator=(const terminal&) = delete;

  struct key {
    std::uint32_t code = 0;
    bool function_key = false;  // a KEY_* code
  };
  /// The next key, waiting at most `timeout_ms`; nullopt if none came. KEY_RESIZE is consumed here.
  std::optional<key> next_key(int timeout_ms);
  /// True once a signal asked the UI to stop.
  static bool stop_requested();
  /// Draws what the frame wrote since the last call.
  void present();
  void clear_frame();

  static attr_t attributes(style s);

 private:
  static bool colors_;
};

}  // namespace asio_console::console
