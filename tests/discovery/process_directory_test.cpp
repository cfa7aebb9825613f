// The directory serving processes register in: private to its user, written atomically, cleaned of
// dead processes' entries, and refused when another user could have written it.
#include "discovery/process_directory.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace {
using namespace asio_console::discovery;
namespace fs = std::filesystem;

// A fresh parent directory per test; the registry directory inside it is made by the code.
class ProcessDirectory : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/asio-console-discovery-XXXXXX";
    ASSERT_NE(::mkdtemp(name), nullptr);
    parent_ = name;
    directory_ = parent_ + "/asio-console";
  }
  void TearDown() override { fs::remove_all(parent_); }

  process_entry me() const {
    return {.pid = ::getpid(), .program = program_invocation_short_name, .console = "127.0.0.1:7000",
            .metrics = "", .started_unix_ns = 42};
  }
  mode_t mode_of(const std::string& path) const {
    struct stat info {};
    ::stat(path.c_str(), &info);
    return info.st_mode & 07777;
  }

  std::string parent_;
  std::string directory_;
};

TEST_F(ProcessDirectory, AnEntryIsPrivateListedAndRemovedWithItsRegistration) {
  {
    absl::StatusOr<registration> listed = registration::create(me(), directory_);
    ASSERT_TRUE(listed.ok()) << listed.status();
    EXPECT_EQ(mode_of(directory_), 0700u);
    EXPECT_EQ(mode_of(listed->path()), 0600u);
    absl::StatusOr<process_listing> all = list_processes(directory_);
    ASSERT_TRUE(all.ok()) << all.status();
    ASSERT_EQ(all->processes.size(), 1u);
    EXPECT_EQ(all->processes.front(), me());
    absl::StatusOr<process_entry> found = find_process(::getpid(), directory_);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->console, "127.0.0.1:7000");
  }
  EXPECT_TRUE(list_processes(directory_)->processes.empty()) << "the registration's end removes the entry";
  EXPECT_FALSE(find_process(::getpid(), directory_).ok());
}

TEST_F(ProcessDirectory, AProcessServingTwiceHasAnEntryForEach) {
  process_entry second = me();
  second.console = "127.0.0.1:7001";
  absl::StatusOr<registration> one = registration::create(me(), directory_);
  absl::StatusOr<registration> two = registration::create(second, directory_);
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_NE(one->path(), two->path());
  absl::StatusOr<process_listing> all = list_processes(directory_);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->processes.size(), 2u);
  *one = registration();  // the first stops serving; the second is still listed
  all = list_processes(directory_);
  ASSERT_EQ(all->processes.size(), 1u);
  EXPECT_EQ(all->processes.front().console, "127.0.0.1:7001");
}

TEST_F(ProcessDirectory, ADeadProcesssEntryIsIgnoredAndRemoved) {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ::waitpid(child, nullptr, 0);  // gone: its pid names no process now
  process_entry dead = me();
  dead.pid = child;
  {
    ASSERT_TRUE(registration::create(me(), directory_).ok());  // makes the directory
    // What a process killed while serving leaves behind.
    const std::string path = directory_ + "/" + std::to_string(child);
    std::ofstream(path) << to_text(dead);
    ::chmod(path.c_str(), 0600);
    absl::StatusOr<process_listing> all = list_processes(directory_);
    ASSERT_TRUE(all.ok()) << all.status();
    EXPECT_TRUE(all->processes.empty());
    EXPECT_FALSE(fs::exists(path)) << "cleaned by the listing";
  }
  const absl::StatusOr<process_entry> missing = find_process(child, directory_);
  EXPECT_EQ(missing.status().message(), "no process " + std::to_string(child) + " is running");
}

TEST_F(ProcessDirectory, NoDirectoryYetIsNoProcess) {
  absl::StatusOr<process_listing> all = list_processes(directory_);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->processes.empty());
}

TEST_F(ProcessDirectory, ADirectoryOpenToOthersIsRefused) {
  ASSERT_EQ(::mkdir(directory_.c_str(), 0700), 0);
  ::chmod(directory_.c_str(), 0755);
  const absl::StatusOr<process_listing> all = list_processes(directory_);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().message(), directory_ + " is open to other users (mode 0755): refusing it");
  EXPECT_FALSE(registration::create(me(), directory_).ok()) << "nor written into";
}

TEST_F(ProcessDirectory, ASymlinkInsteadOfTheDirectoryIsRefused) {
  fs::create_directory(parent_ + "/elsewhere");
  fs::create_directory_symlink(parent_ + "/elsewhere", directory_);
  const absl::StatusOr<process_listing> all = list_processes(directory_);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().message(), directory_ + " is not a directory: refusing it");
}

TEST_F(ProcessDirectory, ADirectoryOrFileOfAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
  constexpr uid_t nobody = 65534;
  ASSERT_TRUE(registration::create(me(), directory_).ok());  // kept: its path is chowned below
  const std::string entry = directory_ + "/" + std::to_string(::getpid());
  {
    std::ofstream(entry) << to_text(me());
    ::chmod(entry.c_str(), 0600);
    ASSERT_EQ(::chown(entry.c_str(), nobody, nobody), 0);
    const absl::StatusOr<process_listing> all = list_processes(directory_);
    ASSERT_TRUE(all.ok()) << "one entry refused, the others listed";
    EXPECT_TRUE(all->processes.empty());
    ASSERT_EQ(all->refused.size(), 1u);
    EXPECT_EQ(all->refused[0].reason, entry + " is owned by uid 65534, not by this user (uid 0): refusing it");
  }
  fs::remove(entry);
  ASSERT_EQ(::chown(directory_.c_str(), nobody, nobody), 0);
  const absl::StatusOr<process_listing> all = list_processes(directory_);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().message(), directory_ + " is owned by uid 65534, not by this user (uid 0): refusing it");
}

// What another program (or a careless user) can leave in the directory, named after a live pid:
// never opened in a way that blocks, each refused in one line, the real entry still listed.
TEST_F(ProcessDirectory, AFifoASymlinkAndADirectoryAreRefusedOneLineEachWithoutBlocking) {
  absl::StatusOr<registration> listed = registration::create(me(), directory_);
  ASSERT_TRUE(listed.ok());
  const std::string pid = std::to_string(::getpid());
  const std::string fifo = directory_ + "/" + pid + ".9001", link = directory_ + "/" + pid + ".9002",
                    folder = directory_ + "/" + pid + ".9003";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  fs::create_symlink(listed->path(), link);
  ASSERT_EQ(::mkdir(folder.c_str(), 0700), 0);
  const auto started = std::chrono::steady_clock::now();
  const absl::StatusOr<process_listing> all = list_processes(directory_);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1)) << "nothing blocked";
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->processes.size(), 1u);
  EXPECT_EQ(all->processes.front(), me());
  ASSERT_EQ(all->refused.size(), 3u);
  EXPECT_EQ(all->refused[0].reason, fifo + " is not a regular file: refusing it");
  EXPECT_EQ(all->refused[1].reason, link + " is a symbolic link: refusing it");
  EXPECT_EQ(all->refused[2].reason, folder + " is not a regular file: refusing it");
  for (const refused_entry& refused : all->refused) EXPECT_EQ(refused.pid, ::getpid());
}

TEST(ProcessEntry, ItsTextRoundTripsAndAMalformedOneSaysWhat) {
  const process_entry entry{.pid = 12, .program = "server", .console = "unix:/run/app.sock",
                            .metrics = "127.0.0.1:9100", .started_unix_ns = 1'700'000'000'000'000'000};
  absl::StatusOr<process_entry> back = parse_entry(to_text(entry));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, entry);
  EXPECT_EQ(parse_entry("hello\n").status().message(), "not an asio-console process entry");
  EXPECT_EQ(parse_entry("asio-console process 1\npid=x\nconsole=a:1\n").status().message(), "malformed pid \"x\"");
  EXPECT_EQ(parse_entry("asio-console process 1\npid=3\n").status().message(),
            "the entry names no pid or no console address");
  EXPECT_TRUE(parse_entry("asio-console process 1\npid=3\nconsole=a:1\nlater=field\n").ok()) << "unknown keys are for later versions";
}

}  // namespace
