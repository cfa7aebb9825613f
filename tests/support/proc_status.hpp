// A process's own accounting, read from /proc/<pid>/status.
#pragma once

#include <sys/types.h>

#include <fstream>
#include <string>

namespace asio_console::testing {

/// A kilobyte-sized line of /proc/<pid>/status, in KiB ("VmRSS", "VmHWM"); -1 if the process is
/// gone or has no such line.
inline long status_kib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(field + ":")) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

}  // namespace asio_console::testing
