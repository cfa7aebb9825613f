// The real asio-console terminal UI against a real instrumented process, in a real terminal (tmux):
// what a user sees after each key.
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>
#include <sstream>
#include <thread>

#include "support/process.hpp"
#include "support/scripted_target.hpp"
#include "support/tmux_session.hpp"
#include "support/update_builder.hpp"

namespace {
using namespace std::chrono_literals;
using asio_console::testing::console_binary;
using asio_console::testing::start_sample_target;
using asio_console::testing::started_target;
using asio_console::testing::scripted_target;
using asio_console::testing::tmux_session;
using asio_console::testing::update_builder;
namespace v1 = asio_console::v1;
constexpr std::int64_t second = 1'000'000'000;

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
  const std::vector<std::string> expected = {
      "Warn", "ID", "Parent", "State", "Name", "Total", "Busy", "Sched", "Idle", "Polls", "Location", "Fields",
      "connected", "Warnings", "will never be woken", "in one poll",
      "role=owner",  // fields are listed
  };
  std::string shown;
  EXPECT_TRUE(console->wait_for(
      [&](const std::string& s) {
        return std::all_of(expected.begin(), expected.end(), [&](const std::string& text) { return contains(s, text); });
      },
      &shown));
  for (const std::string& text : expected) EXPECT_TRUE(contains(shown, text)) << text << "\n" << shown;
}

TEST_F(TuiTest, SortColumnAndDirectionFollowTheKeys) {
  auto console = open_console();
  // A capture can catch a frame half written (curses rewrites only changed lines): wait for a whole
  // frame in the expected order.
  const auto sorted_by_id = [](bool descending) {
    return [descending](const std::string& s) {
      const std::vector<long> ids = listed_ids(s);
      if (ids.size() < 5 || !contains(s, descending ? "ID▼" : "ID▲")) return false;
      return descending ? std::is_sorted(ids.rbegin(), ids.rend()) : std::is_sorted(ids.begin(), ids.end());
    };
  };
  console->send({"h", "h", "h", "h"});  // from Total to ID
  std::string shown;
  EXPECT_TRUE(console->wait_for(sorted_by_id(true), &shown)) << shown;
  console->send({"i"});
  ASSERT_TRUE(console->wait_for(sorted_by_id(false), &shown)) << shown;
  EXPECT_EQ(listed_ids(shown).front(), 1);
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
  EXPECT_TRUE(console->wait_for(
      [](const std::string& s) {
        return contains(s, "Poll times") && contains(s, "Spawn stack") && contains(s, "#0 main") &&
               contains(s, "held its thread for");  // the long-poll sentence
      },
      &shown))
      << shown;
  console->send({"Escape"});
  EXPECT_TRUE(console->wait_for_text("Total", &shown)) << shown;
}

TEST_F(TuiTest, SitesViewGroupsTheLeakAndShowsItsStacks) {
  auto console = open_console();
  console->send({"s"});
  std::string shown;
  // The leaking wrapper's site comes first, with the most live tasks.
  const auto leak_first = [](const std::string& s) {
    const std::vector<std::string> lines = lines_of(s);
    const auto header = std::find_if(lines.begin(), lines.end(), [](const std::string& l) { return contains(l, "Live▼"); });
    return header != lines.end() && header + 1 != lines.end() && contains(*(header + 1), "sample::spawn");
  };
  EXPECT_TRUE(console->wait_for(leak_first, &shown)) << shown;
  console->send({"Enter"});
  EXPECT_TRUE(console->wait_for(
      [](const std::string& s) { return contains(s, "Sampled spawn stacks") && contains(s, "cache_refresher"); },
      &shown))
      << shown;
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
  // Within the backoff (at most 5 s between attempts), not gRPC's own: a fresh channel per attempt.
  EXPECT_TRUE(console->wait_for_text("● connected", &shown, 8s)) << shown;
}

// A target stopped (SIGSTOP) keeps its connection open and sends nothing: the title says how long
// nothing came, and stops saying it once the target runs again.
TEST_F(TuiTest, AStoppedTargetIsShownSilentUntilItRunsAgain) {
  auto console = open_console();
  const pid_t pid = target_.process->pid();
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  std::string shown;
  const bool silent = console->wait_for_text("● connected, no update for", &shown);
  ::kill(pid, SIGCONT);
  ASSERT_TRUE(silent) << shown;
  EXPECT_TRUE(console->wait_for([](const std::string& s) { return !contains(s, "no update for"); }, &shown, 20s))
      << shown;
}

std::string title_of(const std::string& screen) {
  const std::vector<std::string> lines = lines_of(screen);
  return lines.empty() ? "" : lines.front();
}

TEST_F(TuiTest, PausedAcrossARestartedTargetTheTitleAndTheDataAgree) {
  auto console = open_console();
  console->send({"Space"});
  std::string shown;
  ASSERT_TRUE(console->wait_for_text("PAUSED", &shown)) << shown;
  const std::string address = target_.address;
  target_.process.reset();  // killed
  ASSERT_TRUE(console->wait_for_text("disconnected", &shown)) << shown;
  target_ = start_sample_target({"--bind=" + address, "--leak_every=50ms"});
  // The new stream is paused again once its snapshot is on screen, and says so only when it is.
  ASSERT_TRUE(console->wait_for(
      [](const std::string& s) { return contains(s, "● connected") && contains(s, "PAUSED") && contains(s, "idle"); },
      &shown, 20s))
      << shown;
  const std::string paused_title = title_of(shown);
  std::this_thread::sleep_for(1500ms);  // the target leaks a task every 50 ms: counts would move
  const std::string later = console->screen();
  EXPECT_TRUE(contains(title_of(later), "PAUSED")) << later;
  EXPECT_EQ(title_of(later), paused_title) << "paused: no data flows";
  console->send({"Space"});
  EXPECT_TRUE(console->wait_for(
      [&](const std::string& s) {
        const std::string title = title_of(s);
        return !contains(title, "PAUSED") && !contains(title, "resuming") && title != paused_title;
      },
      &shown))
      << "resumed, the counts move again\n" << shown;
}

TEST(TuiRecovery, AMalformedUpdateIsFollowedByAFreshSnapshot) {
  scripted_target target({.updates = [](int stream) {
                            update_builder updates;
                            std::vector<v1::Update> sent;
                            if (stream == 1) {
                              sent.push_back(updates.publication(second, true)
                                                 .site(1, "/src/first.cpp", 1, "first()")
                                                 .new_task({.id = 1, .name = "first-stream"})
                                                 .build());
                              sent.push_back(updates.publication(2 * second).changed({.id = 99}).build());  // never sent
                            } else {
                              sent.push_back(updates.publication(3 * second, true)
                                                 .site(1, "/src/fresh.cpp", 1, "fresh()")
                                                 .new_task({.id = 2, .name = "fresh-snapshot"})
                                                 .build());
                            }
                            return sent;
                          },
                          .between_updates = 1500ms});
  tmux_session console(console_binary() + " " + target.address(), 160, 40);
  std::string shown;
  ASSERT_TRUE(console.wait_for_text("first-stream", &shown)) << shown;
  ASSERT_TRUE(console.wait_for_text("fresh-snapshot", &shown)) << shown;
  EXPECT_FALSE(contains(shown, "first-stream")) << shown;
  EXPECT_TRUE(contains(shown, "● connected")) << shown;
  EXPECT_EQ(target.streams_started(), 2);
}

TEST(TuiRecovery, TheUiAnswersKeysWhileASlowTargetSymbolizes) {
  constexpr auto symbolize_takes = 6s;
  scripted_target target({.updates = [](int) {
                            update_builder updates;
                            return std::vector<v1::Update>{updates.publication(second, true)
                                                               .site(1, "/src/slow.cpp", 1, "slow()")
                                                               .new_task({.id = 1, .name = "slow-stacks", .stack_id = 3})
                                                               .build()};
                          },
                          .symbolize_delay = std::chrono::duration_cast<std::chrono::milliseconds>(symbolize_takes)});
  const auto started = std::chrono::steady_clock::now();
  // The calls' timeout is longer than the symbolization: it is slow, not failing.
  tmux_session console(console_binary() + " " + target.address() + " --timeout=30s", 160, 40);
  std::string shown;
  ASSERT_TRUE(console.wait_for_text("slow-stacks", &shown)) << shown;
  console.send({"Enter"});
  ASSERT_TRUE(console.wait_for_text("symbolizing…", &shown, 2s)) << shown;
  for (const char* key : {"Escape", "?"}) {
    const auto pressed = std::chrono::steady_clock::now();
    console.send({key});
    ASSERT_TRUE(console.wait_for_text(std::string(key) == "?" ? "invert" : "Total▼", &shown, 2s)) << key << "\n" << shown;
    EXPECT_LT(std::chrono::steady_clock::now() - pressed, 1500ms) << key;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, symbolize_takes) << "answered while it was symbolizing";
  console.send({"x"});
  console.send({"Enter"});
  EXPECT_TRUE(console.wait_for_text("function_3", &shown, 15s)) << shown;
}

}  // namespace
