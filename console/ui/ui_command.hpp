// `asio-console [TARGET]`: the terminal UI, live or (`asio-console replay FILE`) from a recording.
#pragma once

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "connection/target.hpp"
#include "model/frame_filter.hpp"
#include "model/state.hpp"

namespace asio_console::console {

struct ui_options {
  bool colors = true;
  absl::Duration timeout = absl::Seconds(5);
  /// Record what the console takes to this file while it runs (--record); empty: do not.
  std::string record;
  std::uint64_t max_record_bytes = std::uint64_t{1} << 30;
  state_options model;  // with the lint thresholds
  frame_filter frames;
};

/// Runs the UI until the user quits (q, Ctrl-C) or a signal stops it; restores the terminal.
/// Returns the exit code.
int run_ui(const target& where, const ui_options& options);

/// `asio-console replay FILE`: the same UI fed from a recording, with keys that move through it.
/// An unreadable file is exit code 1 after one line on stderr, before the terminal is touched.
int run_replay(const std::string& path, const ui_options& options);

}  // namespace asio_console::console
