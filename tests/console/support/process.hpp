// Real processes for end-to-end tests: a long-running one whose output lines are read as they come,
// and a command run to completion with its exit code, output and duration. Every wait is bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace asio_console::testing {

class child_process {
 public:
  /// Starts `argv` with the environment of this process plus `environment` ("NAME=value" each).
  explicit child_process(const std::vector<std::string>& argv, const std::vector<std::string>& environment = {});
  ~child_process();  // SIGKILL, then reaped
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// The next line of its stdout, or nullopt if none comes within `timeout`.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
};

struct command_result {
  int exit_code = -1;  // -1: killed at the timeout
  std::string out;
  std::string err;
  std::chrono::milliseconds elapsed{0};
  long max_rss_kib = 0;  // its peak resident memory, from run_measured
};

/// Runs `argv` with stdin from /dev/null until it exits, killing it after `timeout`.
command_result run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);
/// The same, with the command's own peak resident memory in max_rss_kib (through GNU time).
command_result run_measured(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

/// Starts the sample target with `extra_args`; returns it with the address it listens on.
struct started_target {
  std::unique_ptr<child_process> process;
  std::string address;
};
started_target start_sample_target(const std::vector<std::string>& extra_args = {});
/// The same with another build of the sample target (one that prints the same first line).
started_target start_target(const std::string& binary, const std::vector<std::string>& extra_args = {});

/// A loopback port nothing listens on (it was free a moment ago).
unsigned short free_loopback_port();

/// Paths of the binaries under test (set by CMake).
std::string console_binary();
std::string sample_target_binary();
/// The sample target built as if its Asio were newer than every checked one (no await stacks).
std::string unchecked_asio_sample_target_binary();

}  // namespace asio_console::testing
