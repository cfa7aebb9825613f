#include "discovery/process_directory.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace asio_console::discovery {
namespace {

constexpr const char* header = "asio-console process 1";

std::string mode_text(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// What makes `info` (of `path`) this user's alone, or why not.
absl::Status check_private(const std::string& path, const struct stat& info, bool directory) {
  if (directory ? !S_ISDIR(info.st_mode) : !S_ISREG(info.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is not a ", directory ? "directory" : "regular file", ": refusing it"));
  }
  if (info.st_uid != ::geteuid()) {
    return absl::PermissionDeniedError(absl::StrCat(path, " is owned by uid ", info.st_uid, ", not by this user (uid ",
                                                    ::geteuid(), "): refusing it"));
  }
  if ((info.st_mode & 077) != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat(path, " is open to other users (mode ", mode_text(info.st_mode), "): refusing it"));
  }
  return absl::OkStatus();
}

// The directory, made (0700) if `create` and missing; an error if it is not this user's alone.
absl::Status prepare_directory(const std::string& path, bool create) {
  if (create && ::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::UnavailableError(absl::StrCat("cannot make ", path, ": ", std::strerror(errno)));
  }
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat(path, " does not exist"));
    return absl::UnavailableError(absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  return check_private(path, info, /*directory=*/true);
}

// The file's text, if it is a regular file of this user's alone. Opening never blocks (O_NONBLOCK:
// a FIFO would wait for a writer) nor follows a symbolic link.
absl::StatusOr<std::string> read_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && errno == ELOOP) return absl::FailedPreconditionError(absl::StrCat(path, " is a symbolic link: refusing it"));
  if (fd < 0 && errno == ENOENT) return absl::NotFoundError(absl::StrCat(path, " was removed"));
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  struct stat info {};
  absl::Status status = ::fstat(fd, &info) == 0 ? check_private(path, info, /*directory=*/false)
                                                 : absl::UnavailableError(absl::StrCat("cannot read ", path));
  std::string text;
  if (status.ok()) {
    char buffer[4096];
    for (ssize_t got; (got = ::read(fd, buffer, sizeof buffer)) > 0 && text.size() < 64 * 1024;) {
      text.append(buffer, static_cast<std::size_t>(got));
    }
  }
  ::close(fd);
  if (!status.ok()) return status;
  return text;
}

// Running, and the same program as the entry says (a reused pid runs another one).
bool is_running(const process_entry& entry) {
  if (entry.pid <= 0 || (::kill(static_cast<pid_t>(entry.pid), 0) != 0 && errno != EPERM)) return false;
  std::ifstream comm("/proc/" + std::to_string(entry.pid) + "/comm");
  std::string name;
  if (!std::getline(comm, name)) return true;  // no /proc: the pid is all there is
  return entry.program.substr(0, 15) == name.substr(0, 15);  // the kernel keeps 15 characters
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "PID" or "PID.N" (see registration::create); the pid, or "" for any other name.
std::string_view pid_part(std::string_view name) {
  const std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) return all_digits(name) ? name : std::string_view();
  return all_digits(name.substr(0, dot)) && all_digits(name.substr(dot + 1)) ? name.substr(0, dot) : std::string_view();
}

}  // namespace

std::string directory_path() {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (runtime != nullptr && runtime[0] == '/') return absl::StrCat(runtime, "/asio-console");
  return absl::StrCat("/tmp/asio-console-", ::geteuid());
}

std::string to_text(const process_entry& entry) {
  return absl::StrCat(header, "\npid=", entry.pid, "\nprogram=", entry.program, "\nconsole=", entry.console,
                      "\nmetrics=", entry.metrics, "\nstarted_unix_ns=", entry.started_unix_ns, "\n");
}

absl::StatusOr<process_entry> parse_entry(const std::string& text) {
  const std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  if (lines.empty() || lines.front() != header) return absl::DataLossError("not an asio-console process entry");
  process_entry entry;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::size_t equals = lines[i].find('=');
    if (equals == std::string::npos) return absl::DataLossError(absl::StrCat("malformed line \"", lines[i], "\""));
    const std::string key = lines[i].substr(0, equals);
    const std::string value = lines[i].substr(equals + 1);
    bool parsed = true;
    if (key == "pid") parsed = absl::SimpleAtoi(value, &entry.pid);
    else if (key == "program") entry.program = value;
    else if (key == "console") entry.console = value;
    else if (key == "metrics") entry.metrics = value;
    else if (key == "started_unix_ns") parsed = absl::SimpleAtoi(value, &entry.started_unix_ns);
    // Unknown keys are for later versions.
    if (!parsed) return absl::DataLossError(absl::StrCat("malformed ", key, " \"", value, "\""));
  }
  if (entry.pid <= 0 || entry.console.empty()) return absl::DataLossError("the entry names no pid or no console address");
  return entry;
}

absl::StatusOr<registration> registration::create(const process_entry& entry, const std::string& directory) {
  if (absl::Status ready = prepare_directory(directory, /*create=*/true); !ready.ok()) return ready;
  // A process serving more than once has an entry per server: PID, then PID.2, PID.3, ...
  static std::atomic<std::uint32_t> servers{0};
  const std::uint32_t number = servers.fetch_add(1, std::memory_order_relaxed) + 1;
  const std::string path =
      number == 1 ? absl::StrCat(directory, "/", entry.pid) : absl::StrCat(directory, "/", entry.pid, ".", number);
  const std::string temporary = path + ".new";
  ::unlink(temporary.c_str());  // left by a process of the same pid that died while writing
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot write ", temporary, ": ", std::strerror(errno)));
  const std::string text = to_text(entry);
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    return absl::UnavailableError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return registration(path);
}

registration::registration(registration&& other) noexcept : path_(std::exchange(other.path_, {})) {}

registration& registration::operator=(registration&& other) noexcept {
  if (this != &other) {
    if (!path_.empty()) ::unlink(path_.c_str());
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

registration::~registration() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

absl::StatusOr<process_listing> list_processes(const std::string& directory) {
  if (absl::Status ready = prepare_directory(directory, /*create=*/false); !ready.ok()) {
    if (absl::IsNotFound(ready)) return process_listing();
    return ready;
  }
  DIR* listing = ::opendir(directory.c_str());
  if (listing == nullptr) return absl::UnavailableError(absl::StrCat("cannot list ", directory, ": ", std::strerror(errno)));
  std::vector<std::string> names;
  while (const dirent* item = ::readdir(listing)) {
    if (!pid_part(item->d_name).empty()) names.emplace_back(item->d_name);
  }
  ::closedir(listing);
  std::sort(names.begin(), names.end());
  process_listing listed;
  for (const std::string& name : names) {
    const std::string path = absl::StrCat(directory, "/", name);
    absl::StatusOr<std::string> text = read_private_file(path);
    if (absl::IsNotFound(text.status())) continue;  // removed meanwhile
    if (!text.ok()) {
      std::int64_t pid = 0;
      (void)absl::SimpleAtoi(std::string(pid_part(name)), &pid);
      listed.refused.push_back({pid, std::string(text.status().message())});
      continue;
    }
    absl::StatusOr<process_entry> entry = parse_entry(*text);
    if (!entry.ok() || absl::StrCat(entry->pid) != std::string(pid_part(name)) || !is_running(*entry)) {
      ::unlink(path.c_str());  // a dead process's, or not an entry at all
      continue;
    }
    listed.processes.push_back(*std::move(entry));
  }
  std::sort(listed.processes.begin(), listed.processes.end(), [](const process_entry& a, const process_entry& b) {
    return a.pid != b.pid ? a.pid < b.pid : a.console < b.console;
  });
  return listed;
}

absl::StatusOr<process_entry> find_process(std::int64_t pid, const std::string& directory) {
  absl::StatusOr<process_listing> all = list_processes(directory);
  if (!all.ok()) return all.status();
  for (process_entry& entry : all->processes) {
    if (entry.pid == pid) return std::move(entry);
  }
  for (const refused_entry& refused : all->refused) {
    if (refused.pid == pid) return absl::FailedPreconditionError(refused.reason);
  }
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
    return absl::NotFoundError(absl::StrCat("no process ", pid, " is running"));
  }
  return absl::NotFoundError(absl::StrCat("process ", pid, " serves no asio-console (no entry in ", directory, ")"));
}

}  // namespace asio_console::discovery
