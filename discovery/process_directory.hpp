// Where instrumented processes say they are, so that a console can attach by process id
// (`asio-console PID`, `asio-console ps`): one file per serving process in a per-user runtime
// directory, $XDG_RUNTIME_DIR/asio-console/ or else /tmp/asio-console-UID/.
//
// The directory is this user's alone (mode 0700, files 0600): one owned by another user, or open to
// others, is refused with a one-line error, and so is an entry file of that kind (another user
// could otherwise point this user's console anywhere). A process removes its entry when it stops
// serving; entries of processes that died without doing so are ignored and removed by whoever
// lists them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace asio_console::discovery {

struct process_entry {
  std::int64_t pid = 0;
  std::string program;  // the executable's name
  std::string console;  // the address consoles attach to
  std::string metrics;  // the metrics endpoint; empty when none
  std::int64_t started_unix_ns = 0;

  friend bool operator==(const process_entry&, const process_entry&) = default;
};

/// The directory for this user: $XDG_RUNTIME_DIR/asio-console when that is set, else
/// /tmp/asio-console-UID.
std::string directory_path();

/// The entry as its file holds it, and back; a malformed file is an error naming what is wrong.
std::string to_text(const process_entry& entry);
absl::StatusOr<process_entry> parse_entry(const std::string& text);

/// An entry in the directory while it lives (moves, never copies); removing it is the destructor's.
class registration {
 public:
  /// Creates the directory if needed and writes `entry` in it, atomically: named by its pid (a
  /// process that serves more than once has PID.2, PID.3, ... too).
  static absl::StatusOr<registration> create(const process_entry& entry, const std::string& directory = directory_path());
  registration() = default;
  registration(registration&& other) noexcept;
  registration& operator=(registration&& other) noexcept;
  ~registration();
  const std::string& path() const noexcept { return path_; }

 private:
  explicit registration(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

/// The entries of processes still running, by pid; entries of dead ones are removed. No directory
/// yet is no process; a directory or file not this user's alone is an error.
absl::StatusOr<std::vector<process_entry>> list_processes(const std::string& directory = directory_path());

/// The entry of process `pid` (its first server's, when it serves more than once); an error says it
/// is not running or serves no console.
absl::StatusOr<process_entry> find_process(std::int64_t pid, const std::string& directory = directory_path());

}  // namespace asio_console::discovery
