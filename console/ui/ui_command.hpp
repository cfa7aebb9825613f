// `asio-console [TARGET]`: the terminal UI.
#pragma once

#include "absl/time/time.h"
#include "connection/target.hpp"
#include "model/frame_filter.hpp"
#include "model/state.hpp"

namespace asio_console::console {

struct ui_options {
  bool colors = true;
  absl::Duration timeout = absl::Seconds(5);
  state_options model;  // with the lint thresholds
  frame_filter frames;
};

/// Runs the UI until the user quits (q, Ctrl-C) or a signal stops it; restores the terminal.
/// Returns the exit code.
int run_ui(const target& where, const ui_options& options);

}  // namespace asio_console::console
