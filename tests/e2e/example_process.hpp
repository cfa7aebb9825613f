// An example program (Asio's or Beast's, switched to asio_console) run as a child process that
// serves consoles on a loopback port of its own, read back through `asio-console dump --json`.
#pragma once

#include <fcntl.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"

namespace asio_console::testing {

// An example program serving consoles on a port of its own.
struct example {
  std::string console_address = "127.0.0.1:" + std::to_string(free_loopback_port());
  std::unique_ptr<child_process> process;

  example(const std::string& binary, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {binary};
    argv.insert(argv.end(), args.begin(), args.end());
    process = std::make_unique<child_process>(argv, std::vector<std::string>{"ASIO_CONSOLE_BIND=" + console_address});
  }

  // The whole `dump --json` report.
  boost::json::object report() const {
    const auto result =
        run_command({console_binary(), "dump", console_address, "--json", "--timeout=10s"}, std::chrono::seconds(60));
    if (result.exit_code != 0) throw std::runtime_error("dump failed: " + result.err);
    return boost::json::parse(result.out).as_object();
  }
  boost::json::array tasks() const { return report().at("tasks").as_array(); }

  // Dumps until `done(report)` holds, for at most 20 s; the last report.
  template <typename Predicate>
  boost::json::object report_when(Predicate done) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    boost::json::object last;
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        last = report();
        if (done(last)) return last;
      } catch (const std::runtime_error&) {
        // not serving yet
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return last;
  }
  // The same, for a condition on the tasks.
  template <typename Predicate>
  boost::json::array tasks_when(Predicate done) const {
    const boost::json::object last =
        report_when([&](const boost::json::object& report) { return done(report.at("tasks").as_array()); });
    return last.contains("tasks") ? last.at("tasks").as_array() : boost::json::array();
  }
};

inline boost::asio::ip::tcp::socket connect_with_retries(boost::asio::io_context& ctx, unsigned short port) {
  for (int attempt = 0;; ++attempt) {
    boost::asio::ip::tcp::socket socket(ctx);
    boost::system::error_code error;
    socket.connect({boost::asio::ip::address_v4::loopback(), port}, error);
    if (!error) {
      // Not inherited by the programs a test starts later (a tmux server outlives its command):
      // closing the socket here must end the connection.
      ::fcntl(socket.native_handle(), F_SETFD, FD_CLOEXEC);
      return socket;
    }
    if (attempt == 100) throw std::runtime_error("cannot connect to the example");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace asio_console::testing
