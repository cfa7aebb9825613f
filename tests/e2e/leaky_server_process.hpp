// The demo's server (examples/leaky_server) as a process for end-to-end tests, and what they read
// in its JSON dumps.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "support/process.hpp"

namespace asio_console::testing {

struct leaky_server {
  std::string console = "127.0.0.1:" + std::to_string(free_loopback_port());
  std::string metrics;  // where its metrics are scraped, when it serves them
  unsigned short http_port = free_loopback_port();
  child_process process;

  explicit leaky_server(std::vector<std::string> args, bool serve_metrics = false)
      : metrics(serve_metrics ? "127.0.0.1:" + std::to_string(free_loopback_port()) : ""),
        process(
            [&] {
              args.insert(args.begin(), LEAKY_SERVER_BINARY);
              args.push_back("--port=" + std::to_string(http_port));
              return args;
            }(),
            [&] {
              std::vector<std::string> environment = {"ASIO_CONSOLE_BIND=" + console};
              if (!metrics.empty()) environment.push_back("ASIO_CONSOLE_METRICS_BIND=" + metrics);
              return environment;
            }()) {}

  std::optional<boost::json::object> dump() {
    const std::optional<std::string> out = dump_as({"--json"});
    if (!out) return std::nullopt;
    return boost::json::parse(*out).as_object();
  }
  std::optional<std::string> dump_as(std::vector<std::string> flags) {
    flags.insert(flags.begin(), {console_binary(), "dump", console});
    const auto result = run_command(flags, std::chrono::seconds(60));
    if (result.exit_code != 0) return std::nullopt;
    return result.out;
  }
};

inline bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

/// The names of the tasks a lint flagged.
inline std::set<std::string> names_with(const boost::json::object& root, std::string_view lint) {
  std::set<std::string> names;
  for (const boost::json::value& t : root.at("tasks").as_array()) {
    for (const boost::json::value& w : t.at("warnings").as_array()) {
      if (std::string_view(w.as_string()) == lint) names.insert(std::string(t.at("name").as_string()));
    }
  }
  return names;
}

inline bool any_frame(const boost::json::array& frames, std::string_view text) {
  for (const boost::json::value& f : frames) {
    if (std::string_view(f.at("function").as_string()).find(text) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace asio_console::testing
