// `asio-console dump`: one look at a process, printed, for scripts and bug reports. It reads the
// same messages into the same model as the terminal UI, through a connection that does not retry,
// or from a recording.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "absl/time/time.h"
#include "connection/target.hpp"
#include "model/frame_filter.hpp"
#include "model/state.hpp"

namespace asio_console::console {

struct dump_options {
  bool json = false;
  bool stacks = false;  // the goroutine-dump style grouping (stacks_report.hpp)
  /// How long the target may stay silent until its first snapshot is whole; also each call's limit.
  absl::Duration timeout = absl::Seconds(5);
  /// Publications to read after the snapshot (lints that compare samples need some) ...
  int extra_publications = 2;
  /// ... but no longer than this after the snapshot.
  absl::Duration sample_for = absl::Seconds(3);
  state_options model;
  frame_filter frames;  // for the text form; JSON keeps every frame
  /// Lints that make the exit code 3 when any fires (--fail-on).
  lint_set fail_on;
  /// For a recording: the moment to dump, from its start (default: its end).
  std::optional<absl::Duration> at;
};

/// Connects, applies the first snapshot and the publications that follow (see dump_options), waits
/// for every stack the tasks use to be symbolized, disconnects and prints to `out`. Returns the exit
/// code: 0; 1 after one line on `errors` saying why nothing could be printed; 3 after printing when
/// a lint of `fail_on` fired (one line on `errors` names them).
int run_dump(const target& where, const dump_options& options, std::ostream& out, std::ostream& errors);

class message_source;

/// Reads `model` from `source` as run_dump does: the snapshot (each silence of `timeout` at most),
/// the publications that follow, every stack symbolized. A stall of this console itself (stopped
/// with Ctrl-Z or SIGSTOP past a deadline) starts the wait again instead of blaming `where`. The
/// error is one line.
absl::Status take_one_look(message_source& source, state& model, const dump_options& options, const target& where);

/// Connects and reads `model` as run_dump does, without printing; the error is one line.
absl::Status take_one_look(const target& where, const dump_options& options, state& model);

/// The same for a recording (`asio-console dump FILE`), as of options.at: the model the console
/// had live at that moment, stacks and lints included. A file cut short dumps what is whole after
/// one line on `errors` saying so; an unreadable one is exit code 1 after one line.
int run_dump_recording(const std::string& path, const dump_options& options, std::ostream& out, std::ostream& errors);

}  // namespace asio_console::console
