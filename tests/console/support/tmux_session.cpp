#include "support/tmux_session.hpp"

#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "support/process.hpp"

namespace asio_console::testing {
namespace {
std::atomic<int> sessions{0};
}

tmux_session::tmux_session(const std::string& command, int columns, int rows)
    : socket_("asio-console-test-" + std::to_string(getpid()) + "-" + std::to_string(sessions++)) {
  tmux({"-f", "/dev/null", "new-session", "-d", "-s", "test", "-x", std::to_string(columns), "-y",
        std::to_string(rows), command});
  tmux({"set-option", "-t", "test", "remain-on-exit", "on"});
}

tmux_session::~tmux_session() { tmux({"kill-server"}); }

std::string tmux_session::tmux(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"/usr/bin/tmux", "-L", socket_};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, std::chrono::seconds(10)).out;
}

std::string tmux_session::screen() const { return tmux({"capture-pane", "-p", "-t", "test"}); }

std::string tmux_session::screen_with_attributes() const {
  return tmux({"capture-pane", "-p", "-e", "-t", "test"});
}

std::string tmux_session::screen_and_history() const {
  return tmux({"capture-pane", "-p", "-S", "-1000", "-t", "test"});
}

void tmux_session::send(const std::vector<std::string>& keys, bool literal) const {
  std::vector<std::string> args = {"send-keys", "-t", "test"};
  if (literal) args.push_back("-l");
  args.insert(args.end(), keys.begin(), keys.end());
  tmux(args);
}

void tmux_session::resize(int columns, int rows) const {
  tmux({"resize-window", "-t", "test", "-x", std::to_string(columns), "-y", std::to_string(rows)});
}

bool tmux_session::wait_for(const std::function<bool(const std::string&)>& done, std::string* last,
                            std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string shown;
  for (;;) {
    shown = screen();
    if (done(shown)) break;
    if (std::chrono::steady_clock::now() > deadline) {
      if (last != nullptr) *last = shown;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (last != nullptr) *last = shown;
  return true;
}

bool tmux_session::wait_for_text(const std::string& text, std::string* last, std::chrono::milliseconds timeout) const {
  return wait_for([&](const std::string& s) { return s.find(text) != std::string::npos; }, last, timeout);
}

bool tmux_session::alternate_screen() const {
  return tmux({"display-message", "-p", "-t", "test", "#{alternate_on}"}).find('1') != std::string::npos;
}

}  // namespace asio_console::testing
