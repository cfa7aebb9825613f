// `asio-console ps` and attaching by process id, against real processes registered in a runtime
// directory of the test's own (XDG_RUNTIME_DIR, inherited by every process the test starts).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <iterator>
#include <set>
#include <thread>

#include "support/process.hpp"

namespace {
namespace json = boost::json;
using namespace std::chrono_literals;
using asio_console::testing::console_binary;
using asio_console::testing::run_command;
using asio_console::testing::start_sample_target;

class Ps : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/asio-console-ps-XXXXXX";
    ASSERT_NE(::mkdtemp(name), nullptr);
    runtime_ = name;
    ::setenv("XDG_RUNTIME_DIR", runtime_.c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("XDG_RUNTIME_DIR");
    std::filesystem::remove_all(runtime_);
  }
  std::string runtime_;
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The line of `ps` output that starts with `pid`, or "".
std::string row_of(const std::string& listing, pid_t pid) {
  const std::string start = std::to_string(pid) + " ";
  for (std::size_t at = 0; at < listing.size();) {
    const std::size_t end = listing.find('\n', at);
    const std::string line = listing.substr(at, end - at);
    if (line.starts_with(start)) return line;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return "";
}

TEST_F(Ps, ListsTheRunningProcessesAndNotAKilledOne) {
  auto first = start_sample_target();
  auto second = start_sample_target({"--extra_idle_tasks=5"});
  // A generous --timeout: two targets just started on a machine busy with other tests may take more
  // than the default 5 s to answer whole (CI saw it), and that is not what this test is about.
  const auto listed = run_command({console_binary(), "ps", "--timeout=25s"}, 60s);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(listed.out.starts_with("PID ")) << listed.out;
  for (const auto* target : {&first, &second}) {
    const std::string row = row_of(listed.out, target->process->pid());
    EXPECT_TRUE(contains(row, "console_sample_target")) << listed.out;
    EXPECT_TRUE(contains(row, target->address)) << listed.out;
    EXPECT_TRUE(contains(row, "sample_target.cpp:")) << "the top site: " << listed.out;
  }

  const pid_t killed = second.process->pid();
  ::kill(killed, SIGKILL);  // no clean exit: its entry stays behind
  ::waitpid(killed, nullptr, 0);
  const auto after = run_command({console_binary(), "ps", "--timeout=25s"}, 60s);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(row_of(after.out, killed), "") << after.out;
  EXPECT_NE(row_of(after.out, first.process->pid()), "") << after.out;
  EXPECT_FALSE(std::filesystem::exists(runtime_ + "/asio-console/" + std::to_string(killed))) << "cleaned";
}

// What a dump says of the process itself: its sites, and its idle tasks (those that stay put
// between two looks; the sample target keeps spawning short ones).
struct process_view {
  std::set<std::string> sites;
  std::set<std::int64_t> idle_tasks;
};
process_view view_of(const std::string& dump) {
  const json::object root = json::parse(dump).as_object();
  process_view view;
  for (const json::value& s : root.at("sites").as_array()) view.sites.insert(json::serialize(s.at("location")));
  for (const json::value& t : root.at("tasks").as_array()) {
    if (t.at("state") == "idle") view.idle_tasks.insert(t.at("id").to_number<std::int64_t>());
  }
  return view;
}

TEST_F(Ps, DumpByPidIsDumpByAddress) {
  auto target = start_sample_target();
  const std::string pid = std::to_string(target.process->pid());
  const auto by_pid = run_command({console_binary(), "dump", pid, "--json"}, 30s);
  const auto by_address = run_command({console_binary(), "dump", target.address, "--json"}, 30s);
  ASSERT_EQ(by_pid.exit_code, 0) << by_pid.err;
  ASSERT_EQ(by_address.exit_code, 0) << by_address.err;
  const process_view one = view_of(by_pid.out);
  const process_view other = view_of(by_address.out);
  EXPECT_EQ(one.sites, other.sites);
  std::vector<std::int64_t> both;
  std::set_intersection(one.idle_tasks.begin(), one.idle_tasks.end(), other.idle_tasks.begin(), other.idle_tasks.end(),
                        std::back_inserter(both));
  EXPECT_GT(one.idle_tasks.size(), 10u);
  EXPECT_GE(both.size() * 10, one.idle_tasks.size() * 9) << "the same tasks: the same process";
}

TEST_F(Ps, APidThatServesNothingIsOneLineAndExitOne) {
  const auto self = run_command({console_binary(), "dump", std::to_string(::getpid())}, 30s);
  EXPECT_EQ(self.exit_code, 1);
  EXPECT_EQ(self.err, "asio-console: process " + std::to_string(::getpid()) + " serves no asio-console (no entry in " +
                          runtime_ + "/asio-console)\n");
  const auto gone = run_command({console_binary(), "dump", "4194304"}, 30s);  // above pid_max
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_EQ(gone.err, "asio-console: no process 4194304 is running\n");
}

TEST_F(Ps, ADirectoryOpenToOthersIsRefusedInOneLine) {
  const std::string directory = runtime_ + "/asio-console";
  std::filesystem::create_directory(directory);
  std::filesystem::permissions(directory, std::filesystem::perms(0777));
  const auto listed = run_command({console_binary(), "ps"}, 30s);
  EXPECT_EQ(listed.exit_code, 1);
  EXPECT_EQ(listed.err, "asio-console: " + directory + " is open to other users (mode 0777): refusing it\n");
}

// What another program can leave in the directory, named after a live target's pid: each refused in
// one line, the target still listed, and nothing blocks (a FIFO's open used to wait for a writer).
TEST_F(Ps, AFifoASymlinkAndADirectoryAreOneLineEachAndTheTableStillComes) {
  auto target = start_sample_target();
  const std::string directory = runtime_ + "/asio-console/";
  const std::string pid = std::to_string(target.process->pid());
  ASSERT_EQ(::mkfifo((directory + pid + ".9001").c_str(), 0600), 0);
  std::filesystem::create_symlink(directory + pid, directory + pid + ".9002");
  std::filesystem::create_directory(directory + pid + ".9003");
  const auto listed = run_command({console_binary(), "ps", "--timeout=20s"}, 60s);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.err, "asio-console: " + directory + pid + ".9001 is not a regular file: refusing it\n" +
                            "asio-console: " + directory + pid + ".9002 is a symbolic link: refusing it\n" +
                            "asio-console: " + directory + pid + ".9003 is not a regular file: refusing it\n");
  EXPECT_FALSE(row_of(listed.out, target.process->pid()).empty()) << listed.out;
}

// Twenty entries whose ports accept and never answer: asked at once, the table takes one timeout.
TEST_F(Ps, TargetsThatNeverAnswerAreAskedAtOnceWithinOneTimeout) {
  boost::asio::io_context ctx;
  boost::asio::ip::tcp::acceptor silent(ctx, {boost::asio::ip::address_v4::loopback(), 0}, true);
  silent.listen(64);  // connections complete in the kernel's backlog; nothing ever reads them
  const std::string silent_address = "127.0.0.1:" + std::to_string(silent.local_endpoint().port());
  const std::string directory = runtime_ + "/asio-console/";
  std::filesystem::create_directory(directory);
  std::filesystem::permissions(directory, std::filesystem::perms(0700));
  std::string program;
  std::getline(std::ifstream("/proc/self/comm"), program);  // entries of this running process
  for (int i = 1; i <= 20; ++i) {
    const std::string path = directory + std::to_string(::getpid()) + "." + std::to_string(100 + i);
    std::ofstream(path) << "asio-console process 1\npid=" << ::getpid() << "\nprogram=" << program
                        << "\nconsole=" << silent_address << "\nmetrics=\nstarted_unix_ns=1\n";
    std::filesystem::permissions(path, std::filesystem::perms(0600));
  }
  const auto listed = run_command({console_binary(), "ps", "--timeout=2s"}, 60s);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_LT(listed.elapsed, 10s) << "20 silent targets one after another would take 40 s";
  std::size_t rows = 0;
  for (std::size_t at = listed.out.find("not answering"); at != std::string::npos;
       at = listed.out.find("not answering", at + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, 20u) << listed.out;
}

}  // namespace
