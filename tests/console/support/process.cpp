#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string_view>
#include <stdexcept>

extern char** environ;

namespace asio_console::testing {
namespace {

using clock = std::chrono::steady_clock;

struct spawned {
  pid_t pid;
  int out;
  int err;
};

spawned spawn(const std::vector<std::string>& argv, bool capture_stderr,
              const std::vector<std::string>& environment = {}) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  if (capture_stderr) posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const bool overridden = std::any_of(environment.begin(), environment.end(), [&](const std::string& o) {
      return entry.substr(0, entry.find('=') + 1) == std::string_view(o).substr(0, o.find('=') + 1);
    });
    if (!overridden) env.push_back(*e);
  }
  for (const std::string& e : environment) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);
  pid_t pid = -1;
  const int failed = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  if (failed != 0) throw std::runtime_error("cannot start " + argv[0]);
  return {pid, out[0], err[0]};
}

}  // namespace

child_process::child_process(const std::vector<std::string>& argv, const std::vector<std::string>& environment) {
  const spawned s = spawn(argv, /*capture_stderr=*/false, environment);
  close(s.err);
  pid_ = s.pid;
  stdout_fd_ = s.out;
}

child_process::~child_process() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

std::optional<std::string> child_process::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  for (;;) {
    const std::size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd fd{stdout_fd_, POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(left)) <= 0) continue;
    char chunk[4096];
    const ssize_t n = read(stdout_fd_, chunk, sizeof chunk);
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

command_result run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  const auto start = clock::now();
  const spawned s = spawn(argv, /*capture_stderr=*/true);
  command_result result;
  pollfd fds[2] = {{s.out, POLLIN, 0}, {s.err, POLLIN, 0}};
  int open_streams = 2;
  bool killed = false;
  while (open_streams > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(start + timeout - clock::now()).count();
    if (left <= 0) {
      kill(s.pid, SIGKILL);
      killed = true;
      break;
    }
    if (poll(fds, 2, static_cast<int>(left)) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char chunk[65536];
      const ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
      if (n <= 0) {
        fds[i].fd = -1;
        --open_streams;
        continue;
      }
      (i == 0 ? result.out : result.err).append(chunk, static_cast<std::size_t>(n));
    }
  }
  int status = 0;
  waitpid(s.pid, &status, 0);
  close(s.out);
  close(s.err);
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start);
  result.exit_code = killed ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

started_target start_sample_target(const std::vector<std::string>& extra_args) {
  return start_target(sample_target_binary(), extra_args);
}

started_target start_target(const std::string& binary, const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  started_target started{std::make_unique<child_process>(argv), ""};
  const std::optional<std::string> line = started.process->read_line(std::chrono::seconds(20));
  const std::string prefix = "listening on ";
  if (!line || line->rfind(prefix, 0) != 0) throw std::runtime_error("the sample target did not start");
  started.address = line->substr(prefix.size());
  return started;
}

unsigned short free_loopback_port() {
  boost::asio::io_context ctx;
  boost::asio::ip::tcp::acceptor acceptor(ctx, {boost::asio::ip::address_v4::loopback(), 0});
  return acceptor.local_endpoint().port();
}

command_result run_measured(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  // GNU time's child is forked from time itself, so its peak is its own: a child of this (large)
  // test process would count this process's memory too (Linux keeps it across exec).
  const std::string report = std::filesystem::temp_directory_path() /
                             ("asio-console-peak-" + std::to_string(getpid()) + "-" + std::to_string(clock::now().time_since_epoch().count()));
  std::vector<std::string> measured = {"/usr/bin/time", "-f", "%M", "-o", report};
  measured.insert(measured.end(), argv.begin(), argv.end());
  command_result result = run_command(measured, timeout);
  // Its last line: a command that fails gets "Command exited with non-zero status N" first.
  std::ifstream in(report);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && std::isdigit(static_cast<unsigned char>(line.front()))) result.max_rss_kib = std::stol(line);
  }
  std::filesystem::remove(report);
  return result;
}

std::string console_binary() { return ASIO_CONSOLE_BINARY; }
std::string sample_target_binary() { return SAMPLE_TARGET_BINARY; }
std::string unchecked_asio_sample_target_binary() { return UNCHECKED_ASIO_SAMPLE_TARGET_BINARY; }

}  // namespace asio_console::testing
