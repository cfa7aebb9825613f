// `asio-console record`: what a target streams, written to a file for `replay` and `dump FILE`
// (recording/recording_file.hpp), with no terminal. Also how the terminal UI's --record starts one.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "connection/target.hpp"
#include "model/state.hpp"
#include "recording/recording_file.hpp"

namespace asio_console::console {

inline constexpr std::uint64_t default_max_recording_bytes = std::uint64_t{1} << 30;

struct record_options {
  std::string output;
  absl::Duration duration = absl::InfiniteDuration();  // else until Ctrl-C (or SIGTERM, SIGHUP)
  std::uint64_t max_bytes = default_max_recording_bytes;
  /// How long the target may stay silent before its first snapshot is whole; also each call's limit.
  absl::Duration timeout = absl::Seconds(5);
  state_options model;
};

/// Creates `path` for a recording of `target_text` starting now. The error is one line.
absl::StatusOr<std::unique_ptr<recording_writer>> start_recording(const std::string& target_text,
                                                                  const std::string& path, std::uint64_t max_bytes);

/// Records until the duration passes, a signal stops it or the file is full, across reconnects
/// (a restarted target is a new stream in the file), then waits for the stacks still being
/// symbolized. Returns the exit code: 0 after one line on `errors` saying what was recorded; 1
/// after one line saying why nothing (or not everything) could be (the file is removed when it
/// holds no whole snapshot).
int run_record(const target& where, const record_options& options, std::ostream& errors);

}  // namespace asio_console::console
