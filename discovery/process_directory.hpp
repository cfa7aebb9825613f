// Where instrumented processes say they are, so that a console can attach by process id
// (`asio-console PID`, `asio-console ps`): one file per serving process in a per-user runtime
// directory, $XDG_RUNTIME_DIR/asio-console/ or else /tmp/asio-console-UID/.
//
// The directory is this user's alone (mode 0700, files 0600): one owned by another user, or open to
// others, is refused with a one-line error. So is each entry that is not a regular file of this
// user's alone (another user could otherwise point this user's console anywhere; a FIFO would
// block its reader): it is left out of the listing with a line saying why, and the others are
// listed. A process removes its entry when it stops serving; entries of processes that died
// without doing so are ignored and removed by whoever lists them.
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

/// An entry left out of a listing, and why ("PATH is not a regular file: refusing it").
struct refused_entry {
  std::int64_t pid = 0;  // the one its name gives
  std::string reason;
};

struct process_listing {
  std::vector<process_entry> processes;  // still running, by pid
  std::vector<refused_entry> refused;    // by name
};

/// The entries of processes still running; entries of dead ones are removed. No directory yet is no
/// process; a directory not this user's alone is an error. Never blocks on an entry (a FIFO).
absl::StatusOr<process_listing> list_processes(const std::string& directory = directory_path());

/// The entry of process `pid` (its first server's, when it serves more than once); an error says it
/// is not running or serves no console.
absl::StatusOr<process_entry> find_process(std::int64_t pid, const std::string& directory = directory_path());

}  // namespace asio_console::discovery
