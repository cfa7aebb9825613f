// The demo's diagnosis, end to end: examples/leaky_server with its built-in load, read through
// `asio-console dump --json` with the default thresholds, as a user would.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <set>
#include <thread>

#include "support/process.hpp"

namespace {
namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using asio_console::testing::child_process;
using asio_console::testing::console_binary;
using asio_console::testing::free_loopback_port;
using asio_console::testing::run_command;

struct leaky_server {
  std::string console = "127.0.0.1:" + std::to_string(free_loopback_port());
  child_process process;

  explicit leaky_server(std::vector<std::string> args)
      : process([&] {
          args.insert(args.begin(), LEAKY_SERVER_BINARY);
          args.push_back("--port=" + std::to_string(free_loopback_port()));
          return args;
        }(),
                {"ASIO_CONSOLE_BIND=" + console}) {}

  std::optional<json::object> dump() {
    const auto result = run_command({console_binary(), "dump", console, "--json"}, 60s);
    if (result.exit_code != 0) return std::nullopt;
    return json::parse(result.out).as_object();
  }
};

std::set<std::string> names_with(const json::object& root, std::string_view lint) {
  std::set<std::string> names;
  for (const json::value& t : root.at("tasks").as_array()) {
    for (const json::value& w : t.at("warnings").as_array()) {
      if (std::string_view(w.as_string()) == lint) names.insert(std::string(t.at("name").as_string()));
    }
  }
  return names;
}

bool any_frame(const json::array& frames, std::string_view text) {
  for (const json::value& f : frames) {
    if (std::string_view(f.at("function").as_string()).find(text) != std::string_view::npos) return true;
  }
  return false;
}

TEST(LeakyServer, TheLeakIsOneSiteWhoseStackNamesTheConstructorAndTheLintsFindItWithinAMinute) {
  leaky_server server({});
  std::optional<json::object> root;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    root = server.dump();
    if (root && !names_with(*root, "idle-too-long").empty()) break;
    std::this_thread::sleep_for(2s);
  }
  ASSERT_TRUE(root.has_value()) << "the server never answered";
  EXPECT_EQ(names_with(*root, "leak-suspect"), std::set<std::string>{"metrics-reporter"});
  EXPECT_EQ(names_with(*root, "idle-too-long"), std::set<std::string>{"metrics-reporter"})
      << "the listener and the heartbeat are healthy";

  const json::object& top = root->at("sites").as_array().at(0).as_object();
  EXPECT_GT(top.at("live").to_number<int>(), 1000);
  EXPECT_GE(top.at("idle").to_number<int>(), top.at("live").to_number<int>() - 10);
  EXPECT_NE(std::string(top.at("location").at("function").as_string()).find("app::spawn"), std::string::npos)
      << "the location alone only names the wrapper";
  const json::array& frames = top.at("stacks").as_array().at(0).at("frames").as_array();
  EXPECT_TRUE(any_frame(frames, "metrics_reporter::metrics_reporter")) << json::serialize(frames);
  EXPECT_TRUE(any_frame(frames, "app::handle")) << "the function that default-constructs it\n" << json::serialize(frames);
}

TEST(LeakyServer, TheFixedServerDoesNotLeak) {
  leaky_server server({"--fixed"});
  std::this_thread::sleep_for(8s);
  std::optional<json::object> root;
  for (int attempt = 0; attempt < 10 && !root; ++attempt) root = server.dump();
  ASSERT_TRUE(root.has_value());
  EXPECT_TRUE(names_with(*root, "leak-suspect").empty());
  for (const json::value& site : root->at("sites").as_array()) {
    EXPECT_LT(site.at("live").to_number<int>(), 20) << json::serialize(site);
  }
}

}  // namespace
