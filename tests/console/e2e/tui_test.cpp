// The real asio-console terminal UI against a real instrumented process, in a real terminal (tmux):
// what a user sees after each key.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <thread>

#include "support/process.hpp"
#include "support/tmux_session.hpp"

namespace {
using namespace std::chrono_literals;
using asio_console::testing::console_binary;
using asio_console::testing::start_sample_target;
using asio_console::testing::started_target;
using asio_console::testing::tmux_session;

bool contains(const std::string& screen, const std::string& text) { return screen.find(text) != std::string::npos; }

std::vector<std::string> lines_of(const std::string& screen) {
  std::vector<std::string> lines;
  std::istringstream in(screen);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The task ids of the table rows, top to bottom (rows start with an optional warning, then the id).
std::vector<long> listed_ids(const std::string& screen) {
  static const std::regex row(R"(^(?:⚠ \d+)?\s+(\d+)\s+(?:-|\d+)\s+[▶»⏸⏹])");
  std::vector<long> ids;
  for (const std::string& line : lines_of(screen)) {
    std::smatch match;
    if (std::regex_search(line, match, row)) ids.push_back(std::stol(match[1]));
  }
  return ids;
}

class TuiTest : public ::testing::Test {
 protected:
  void SetUp() override { target_ = start_sample_target({"--leak_every=50ms"}); }

  std::unique_ptr<tmux_session> open_console(const std::string& extra = "", int columns = 160, int rows = 48) {
    auto session = std::make_unique<tmux_session>(
        console_binary() + " " + target_.address + " " + extra + "; echo console-exited-$?", columns, rows);
    // Once the leak has grown for a few publications, every lint is on screen.
    std::string shown;
    EXPECT_TRUE(session->wait_for(
        [](const std::string& s) { return contains(s, "keeps growing") && contains(s, "never be woken"); }, &shown))
        << shown;
    return session;
  }

  started_target target_;
};

TEST_F(TuiTest, TasksViewShowsTokioConsoleColumnsAndWarnings) {
  auto console = open_console();
  const std::string shown = console->screen();
  for (const char* column : {"Warn", "ID", "Parent", "State", "Name", "Total", "Busy", "Sched", "Idle", "Polls",
                             "Location", "Fields"}) {
    EXPECT_TRUE(contains(shown, column)) << column << "\n" << shown;
  }
  EXPECT_TRUE(contains(shown, "connected"));
  EXPECT_TRUE(contains(shown, "Warnings"));
  EXPECT_TRUE(contains(shown, "will never be woken"));
  EXPECT_TRUE(contains(shown, "in one poll"));
  EXPECT_TRUE(contains(shown, "role=owner")) << "fields are listed";
}

TEST_F(TuiTest, SortColumnAndDirectionFollowTheKeys) {
  auto console = open_console();
  console->send({"h", "h", "h", "h"});  // from Total to ID
  std::string shown;
  ASSERT_TRUE(console->wait_for_text("ID▼", &shown)) << shown;
  std::vector<long> ids = listed_ids(shown);
  ASSERT_GE(ids.size(), 5u) << shown;
  EXPECT_TRUE(std::is_sorted(ids.rbegin(), ids.rend())) << shown;
  console->send({"i"});
  ASSERT_TRUE(console->wait_for_text("ID▲", &shown)) << shown;
  ids = listed_ids(shown);
  ASSERT_GE(ids.size(), 5u) << shown;
  EXPECT_EQ(ids.front(), 1);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end())) << shown;
  console->send({"l"});
  EXPECT_TRUE(console->wait_for_text("Parent▲", &shown)) << shown;
}

TEST_F(TuiTest, FilterThenEnterShowsTheTaskWithItsStack) {
  auto console = open_console();
  console->send({"/"});
  console->send({"blocker"}, /*literal=*/true);
  std::string shown;
  ASSERT_TRUE(console->wait_for([](const std::string& s) { return contains(s, "/blocker") && !contains(s, "heartbeat"); },
                                &shown))
      << shown;
  console->send({"Enter", "Enter"});
  ASSERT_TRUE(console->wait_for_text("Task 2 \"blocker\"", &shown)) << shown;
  EXPECT_TRUE(console->wait_for_text("Poll times", &shown)) << shown;
  EXPECT_TRUE(contains(shown, "Spawn stack"));
  EXPECT_TRUE(contains(shown, "#0 main")) << shown;
  EXPECT_TRUE(contains(shown, "held its thread for")) << "the long-poll sentence\n" << shown;
  console->send({"Escape"});
  EXPECT_TRUE(console->wait_for_text("Total", &shown)) << shown;
}

TEST_F(TuiTest, SitesViewGroupsTheLeakAndShowsItsStacks) {
  auto console = open_console();
  console->send({"s"});
  std::string shown;
  ASSERT_TRUE(console->wait_for_text("Live▼", &shown)) << shown;
  // The leaking wrapper's site comes first, with the most live tasks.
  const std::vector<std::string> lines = lines_of(shown);
  const auto header = std::find_if(lines.begin(), lines.end(), [](const std::string& l) { return contains(l, "Live▼"); });
  ASSERT_NE(header, lines.end());
  ASSERT_NE(header + 1, lines.end());
  EXPECT_TRUE(contains(*(header + 1), "sample::spawn")) << shown;
  console->send({"Enter"});
  ASSERT_TRUE(console->wait_for_text("Sampled spawn stacks", &shown)) << shown;
  EXPECT_TRUE(console->wait_for_text("cache_refresher", &shown)) << shown;
  EXPECT_TRUE(contains(shown, "refresher"));
  console->send({"t"});
  EXPECT_TRUE(console->wait_for_text("Total▼", &shown)) << shown;
}

TEST_F(TuiTest, ResizeRedrawsForTheNewSize) {
  auto console = open_console("", 160, 48);
  console->resize(100, 20);
  std::string shown;
  EXPECT_TRUE(console->wait_for(
      [](const std::string& s) {
        const auto lines = lines_of(s);
        return lines.size() <= 20 && !lines.empty() && contains(lines.back(), "q quit");
      },
      &shown))
      << shown;
  for (const std::string& line : lines_of(shown)) EXPECT_LE(line.size(), 100u * 4) << line;
}

// Whether any foreground color (SGR 30-37, 90-97 or 38;...) is set on screen.
bool has_colors(const std::string& screen) {
  static const std::regex color(R"(\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])[;m])");
  return std::regex_search(screen, color);
}

TEST_F(TuiTest, NoColorsDrawsWithoutColors) {
  auto colored = open_console();
  EXPECT_TRUE(has_colors(colored->screen_with_attributes())) << "states and warnings are colored";
  auto plain = open_console("--no-colors");
  const std::string shown = plain->screen_with_attributes();
  EXPECT_FALSE(has_colors(shown)) << shown;
  EXPECT_TRUE(contains(shown, "Total")) << "the same screen otherwise";
}

TEST_F(TuiTest, HelpAndPauseFollowTheKeys) {
  auto console = open_console();
  console->send({"?"});
  std::string shown;
  ASSERT_TRUE(console->wait_for_text("never-woken", &shown)) << shown;
  EXPECT_TRUE(contains(shown, "invert"));
  console->send({"x"});  // any key closes the help
  ASSERT_TRUE(console->wait_for_text("Total▼", &shown)) << shown;
  console->send({"Space"});
  ASSERT_TRUE(console->wait_for_text("PAUSED", &shown)) << shown;
  console->send({"Space"});
  EXPECT_TRUE(console->wait_for([](const std::string& s) { return !contains(s, "PAUSED"); }, &shown)) << shown;
}

TEST_F(TuiTest, QuitAndControlCRestoreTheTerminal) {
  for (const char* key : {"q", "C-c"}) {
    auto console = open_console();
    EXPECT_TRUE(console->alternate_screen());
    console->send({key});
    // The shell goes on after a clean exit (what it prints may have scrolled into the history).
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (!contains(console->screen_and_history(), "console-exited-") && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(contains(console->screen_and_history(), "console-exited-0")) << key << "\n" << console->screen_and_history();
    EXPECT_FALSE(console->alternate_screen()) << key;
  }
}

TEST_F(TuiTest, LostConnectionShowsInTheStatusLineAndComesBack) {
  auto console = open_console();
  const std::string address = target_.address;
  target_.process.reset();  // killed
  std::string shown;
  ASSERT_TRUE(console->wait_for_text("disconnected", &shown)) << shown;
  EXPECT_TRUE(contains(shown, "cannot connect") || contains(shown, "last error")) << shown;
  target_ = start_sample_target({"--bind=" + address});
  EXPECT_TRUE(console->wait_for_text("● connected", &shown, 20s)) << shown;
}

}  // namespace
