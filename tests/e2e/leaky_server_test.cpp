// The demo's diagnosis, end to end: examples/leaky_server with its built-in load, read through
// `asio-console dump` (JSON, text and --stacks) and the terminal UI in tmux, with the default
// thresholds, as a user would.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <set>
#include <thread>

#include "e2e/leaky_server_process.hpp"
#include "support/tmux_session.hpp"

namespace {
namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using asio_console::testing::any_frame;
using asio_console::testing::console_binary;
using asio_console::testing::contains;
using asio_console::testing::leaky_server;
using asio_console::testing::names_with;
using asio_console::testing::run_command;
using asio_console::testing::tmux_session;

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

  // Where they wait: one await stack for all of the site's idle tasks, in the reporter's loop.
  const json::array& waiting = top.at("await_stacks").as_array();
  ASSERT_EQ(waiting.size(), 1u) << json::serialize(waiting);
  EXPECT_EQ(waiting.at(0).at("count").to_number<int>(), top.at("idle").to_number<int>());
  EXPECT_EQ(waiting.at(0).at("wait_reason"), "timer wait");
  EXPECT_TRUE(any_frame(waiting.at(0).at("frames").as_array(), "app::report_metrics_forever")) << json::serialize(waiting);
  for (const json::value& t : root->at("tasks").as_array()) {
    if (t.at("name") != "metrics-reporter" || t.at("state") != "idle") continue;
    EXPECT_TRUE(any_frame(t.at("await_stack").as_array(), "app::report_metrics_forever")) << json::serialize(t);
    break;
  }
}

TEST(LeakyServer, TextDumpsPrintWhereTheLeakedTasksWaitBesideWhoSpawnedThem) {
  leaky_server server({});
  std::optional<std::string> text, stacks;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    text = server.dump_as({});
    stacks = server.dump_as({"--stacks"});
    if (text && stacks && contains(*text, "[leak-suspect]") && contains(*stacks, "[leak-suspect]")) break;
    std::this_thread::sleep_for(2s);
  }
  ASSERT_TRUE(text && stacks) << "the server never answered";
  const std::size_t suspect = text->find("[leak-suspect]");
  ASSERT_NE(suspect, std::string::npos) << *text;
  EXPECT_NE(text->find("idle tasks waiting in app::report_metrics_forever (timer wait), spawned by "
                       "app::metrics_reporter::metrics_reporter",
                       suspect),
            std::string::npos)
      << "the leak in one sentence\n"
      << *text;
  const std::size_t waiting = text->find("idle tasks waiting in (timer wait):", suspect);
  const std::size_t spawned = text->find("top spawn stack", suspect);
  ASSERT_NE(waiting, std::string::npos) << *text;
  EXPECT_NE(text->find("app::report_metrics_forever", waiting), std::string::npos) << *text;
  EXPECT_LT(waiting, spawned) << *text;
  EXPECT_NE(text->find("app::metrics_reporter::metrics_reporter", spawned), std::string::npos) << *text;

  // The goroutine-dump form: the biggest group first, the leak, in one block.
  const std::size_t first_group = stacks->find("\n\n");
  const std::size_t block_end = stacks->find("\n\n", first_group + 2);
  const std::string block = stacks->substr(first_group, block_end - first_group);
  EXPECT_TRUE(contains(block, "[idle, timer wait, idle ")) << block;
  EXPECT_TRUE(contains(block, "app::spawn")) << block;
  EXPECT_TRUE(contains(block, "app::report_metrics_forever")) << block;
  EXPECT_TRUE(contains(block, "app::metrics_reporter::metrics_reporter")) << block;
  EXPECT_TRUE(contains(block, "[leak-suspect]")) << block;
}

TEST(LeakyServer, TheTerminalUiShowsWhereTheLeakingSitesTasksWait) {
  leaky_server server({});
  tmux_session ui(console_binary() + " " + server.console, 200, 60);
  std::string shown;
  ASSERT_TRUE(ui.wait_for_text("keeps growing", &shown, 60s)) << shown;
  ui.send({"s"});
  // The sites view's row for the leak says where its idle tasks wait.
  EXPECT_TRUE(ui.wait_for_text("report_metrics_forever (timer wait)", &shown)) << shown;
  ui.send({"Enter"});
  ASSERT_TRUE(ui.wait_for_text("Where its idle tasks wait", &shown)) << shown;
  EXPECT_TRUE(ui.wait_for(
      [](const std::string& s) { return contains(s, "awaiting timer wait") && contains(s, "app::report_metrics_forever"); },
      &shown))
      << shown;
  // Down into the site's tasks, then a task's details: "Waiting in", with how long it has idled.
  ui.send({"Enter"});
  EXPECT_TRUE(ui.wait_for(
      [](const std::string& s) {
        return contains(s, "Waiting in  (idle for") && contains(s, "awaiting timer wait") &&
               contains(s, "app::report_metrics_forever");
      },
      &shown))
      << shown;
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

TEST(LeakyServer, DumpFailsOnTheLeakSuspectLintForACanaryAndPassesOnceFixed) {
  for (const bool fixed : {false, true}) {
    leaky_server server(fixed ? std::vector<std::string>{"--fixed"} : std::vector<std::string>{});
    std::this_thread::sleep_for(8s);  // a few publications of growth
    asio_console::testing::command_result result;
    for (int attempt = 0; attempt < 10; ++attempt) {
      result = run_command({console_binary(), "dump", server.console, "--fail-on=leak-suspect"}, 60s);
      if (result.exit_code != 1) break;  // 1: not answering yet
      std::this_thread::sleep_for(1s);
    }
    if (fixed) {
      EXPECT_EQ(result.exit_code, 0) << result.err;
      EXPECT_TRUE(result.err.empty()) << result.err;
    } else {
      EXPECT_EQ(result.exit_code, 3) << result.err;
      EXPECT_TRUE(contains(result.err, "leak-suspect fired (--fail-on)")) << result.err;
      EXPECT_TRUE(contains(result.out, "metrics_reporter::metrics_reporter")) << "printed as usual\n" << result.out;
    }
  }
  const auto unknown = run_command({console_binary(), "dump", "127.0.0.1:1", "--fail-on=leaky"}, 30s);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(contains(unknown.err, "no lint is called 'leaky'")) << unknown.err;
  EXPECT_TRUE(contains(unknown.err, "leak-suspect")) << "names the lints\n" << unknown.err;
}

}  // namespace
