// After the fact: the demo's leak recorded for 15 s (asio-console record), the server gone, and
// then read back as a user would: dump FILE --json beside the live dump taken as the recording
// ended, dump --at, replay in a real terminal stepping back and forth, and the same file cut in half.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <thread>

#include "e2e/leaky_server_process.hpp"
#include "support/tmux_session.hpp"

namespace {
namespace json = boost::json;
using namespace std::chrono_literals;
using asio_console::testing::any_frame;
using asio_console::testing::command_result;
using asio_console::testing::console_binary;
using asio_console::testing::contains;
using asio_console::testing::leaky_server;
using asio_console::testing::names_with;
using asio_console::testing::run_command;
using asio_console::testing::tmux_session;

std::optional<json::object> dump_file(const std::vector<std::string>& args, command_result* result = nullptr) {
  std::vector<std::string> argv{console_binary(), "dump"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--json");
  command_result done = run_command(argv, 60s);
  if (result != nullptr) *result = done;
  if (done.exit_code != 0) return std::nullopt;
  return json::parse(done.out).as_object();
}

const json::object& top_site(const json::object& root) { return root.at("sites").as_array().at(0).as_object(); }
int live_of(const json::object& site) { return site.at("live").to_number<int>(); }

// The idle count the title bar shows, or -1.
int idle_in_title(const std::string& screen) {
  static const std::regex idle(R"(tasks: \d+ running, \d+ scheduled, (\d+) idle)");
  std::smatch match;
  return std::regex_search(screen, match, idle) ? std::stoi(match[1]) : -1;
}

// The title says the replay stands at its last publication.
bool at_the_end(const std::string& screen) {
  static const std::regex publication(R"(publication (\d+)/(\d+))");
  std::smatch match;
  return std::regex_search(screen, match, publication) && match[1] == match[2];
}

// Waits until the title's idle count differs from `than` (or, with `same`, equals it); returns it.
int idle_after(const tmux_session& ui, int than, bool same = false) {
  int now = -1;
  ui.wait_for([&](const std::string& s) {
    now = idle_in_title(s);
    return now >= 0 && (same ? now == than : now != than);
  });
  return now;
}

TEST(LeakyRecording, FifteenSecondsRecordedDumpAndReplayAsLiveAndHalfTheFileStillReplays) {
  const std::string path = ::testing::TempDir() + "/leaky_recording_test.rec";
  std::optional<json::object> live;
  {
    leaky_server server({});
    for (int attempt = 0; attempt < 50 && !server.dump_as({"--sample-for=0s"}); ++attempt) std::this_thread::sleep_for(100ms);
    const command_result recorded =
        run_command({console_binary(), "record", server.console, "--output=" + path, "--duration=15s"}, 90s);
    ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
    EXPECT_TRUE(contains(recorded.err, "asio-console: recorded ")) << recorded.err;
    EXPECT_TRUE(contains(recorded.err, " to " + path)) << recorded.err;
    EXPECT_GE(recorded.elapsed, 15s);
    EXPECT_LT(recorded.elapsed, 40s);
    live = server.dump();
    ASSERT_TRUE(live.has_value()) << "the live dump, as the recording ended";
  }  // the server is gone: what follows reads the file alone

  // dump FILE --json: the leak as the live dump showed it.
  std::optional<json::object> replayed = dump_file({path});
  ASSERT_TRUE(replayed.has_value());
  EXPECT_EQ(names_with(*replayed, "leak-suspect"), std::set<std::string>{"metrics-reporter"});
  EXPECT_EQ(names_with(*replayed, "leak-suspect"), names_with(*live, "leak-suspect"));
  const json::object& recorded_top = top_site(*replayed);
  EXPECT_EQ(recorded_top.at("location"), top_site(*live).at("location"));
  EXPECT_GT(live_of(recorded_top), 1000);
  EXPECT_LE(live_of(recorded_top), live_of(top_site(*live))) << "the live dump came a little later";
  EXPECT_TRUE(any_frame(recorded_top.at("stacks").as_array().at(0).at("frames").as_array(),
                        "metrics_reporter::metrics_reporter"))
      << "the recording keeps the symbolized spawn stacks\n" << json::serialize(recorded_top);
  EXPECT_TRUE(any_frame(recorded_top.at("await_stacks").as_array().at(0).at("frames").as_array(),
                        "app::report_metrics_forever"))
      << json::serialize(recorded_top);

  // dump --at: an earlier moment, fewer leaked tasks.
  std::optional<json::object> early = dump_file({path, "--at=5s"});
  ASSERT_TRUE(early.has_value());
  EXPECT_LT(live_of(top_site(*early)), live_of(recorded_top) * 2 / 3);

  // replay: paused, one publication back and forth, the task count follows.
  {
    tmux_session ui(console_binary() + " replay " + path, 200, 50);
    std::string shown;
    ASSERT_TRUE(ui.wait_for_text("replay", &shown)) << shown;
    ui.send({"Space"});
    ASSERT_TRUE(ui.wait_for_text("PAUSED", &shown)) << shown;
    ui.send({"}"});
    ASSERT_TRUE(ui.wait_for(at_the_end, &shown)) << shown;
    const int at_end = idle_in_title(shown);
    ui.send({","});
    const int one_back = idle_after(ui, at_end);
    EXPECT_LT(one_back, at_end) << "the leak grows publication by publication";
    ui.send({","});
    const int two_back = idle_after(ui, one_back);
    EXPECT_LT(two_back, one_back);
    ui.send({"."});
    EXPECT_EQ(idle_after(ui, one_back, true), one_back) << "a step forward shows that moment again";
    ui.send({"{"});
    ASSERT_TRUE(ui.wait_for_text("publication 1/", &shown)) << shown;
    EXPECT_LT(idle_in_title(shown), two_back);
    EXPECT_TRUE(contains(shown, "PAUSED")) << shown;
    // Every screen, with the lints as they were live: the leak, its site, where its tasks wait.
    ui.send({"}"});
    EXPECT_TRUE(ui.wait_for_text("keeps growing", &shown)) << shown;
    ui.send({"s"});
    EXPECT_TRUE(ui.wait_for_text("report_metrics_forever (timer wait)", &shown)) << shown;
    ui.send({"Enter"});
    EXPECT_TRUE(ui.wait_for(
        [](const std::string& s) {
          return contains(s, "Where its idle tasks wait") && contains(s, "metrics_reporter::metrics_reporter");
        },
        &shown))
        << shown;
    ui.send({"Enter"});
    EXPECT_TRUE(ui.wait_for_text("Waiting in  (idle for", &shown)) << "a task's details\n" << shown;
    ui.send({"q"});
  }

  // The same file cut in half: dump and replay show its whole part, and say it was cut.
  std::string whole;
  {
    std::ifstream in(path, std::ios::binary);
    whole.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string half_path = ::testing::TempDir() + "/leaky_recording_test_half.rec";
  std::ofstream(half_path, std::ios::binary) << whole.substr(0, whole.size() / 2);
  command_result cut;
  std::optional<json::object> half = dump_file({half_path}, &cut);
  ASSERT_TRUE(half.has_value()) << cut.err;
  EXPECT_TRUE(contains(cut.err, "ends inside a frame at byte")) << cut.err;
  EXPECT_TRUE(contains(cut.err, "dumping what is whole")) << cut.err;
  EXPECT_GT(live_of(top_site(*half)), 0);
  EXPECT_LT(live_of(top_site(*half)), live_of(recorded_top));
  {
    tmux_session ui(console_binary() + " replay " + half_path + "; echo replay-exited-$?", 200, 50);
    std::string shown;
    ASSERT_TRUE(ui.wait_for_text("the recording ends inside a frame", &shown)) << shown;
    ui.send({"}"});
    EXPECT_TRUE(ui.wait_for(at_the_end, &shown)) << shown;
    EXPECT_GE(idle_in_title(shown), live_of(top_site(*half))) << "its end is the half's end\n" << shown;
    ui.send({"q"});
    EXPECT_TRUE(ui.wait_for_text("replay-exited-0", &shown)) << shown;
  }
}

}  // namespace
