// asio_console::serve with real gRPC clients on loopback: snapshot then deltas, several watchers,
// pause and resume, reconnects, stopping, bad addresses, the version check.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/update_reader.hpp"

namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using asio_console::testing::console_model;
using asio_console::testing::update_reader;

asio_console::serve_options test_options() {
  asio_console::serve_options options;
  options.bind = "127.0.0.1:0";
  options.publish_interval = absl::Milliseconds(50);
  return options;
}

// An io_context running on its own thread, with tasks that wait until released.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = asio_console::serve(test_options());
    ASSERT_TRUE(server_.ok()) << server_.status();
    runner_ = std::thread([this] { ctx_.run(); });
  }
  void TearDown() override {
    asio::post(ctx_, [this] { release_.cancel(); });  // timers belong to the io_context's thread
    work_.reset();
    runner_.join();
    server_.stop();
  }

  // Spawns a task named `name` that waits until the test ends.
  void spawn_waiting(std::string name) {
    asio::post(ctx_, [this, name = std::move(name)] {
      asio_console::co_spawn(ctx_, [this]() -> asio::awaitable<void> {
        boost::system::error_code ignored;
        co_await release_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      }, asio::detached, {.name = name});
    });
  }
  void spawn_finishing(std::string name) {
    asio::post(ctx_, [this, name = std::move(name)] {
      asio_console::co_spawn(ctx_, []() -> asio::awaitable<void> { co_return; }, asio::detached, {.name = name});
    });
  }

  asio::io_context ctx_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ctx_);
  asio::steady_timer release_{ctx_, asio::steady_timer::time_point::max()};
  asio_console::server server_;
  std::thread runner_;
};


TEST_F(ServerTest, FirstMessageNamesTheWatcherThenASnapshotHasEveryTask) {
  spawn_waiting("waiting-before-connect");
  update_reader console(server_.address());
  ASSERT_TRUE(console.read_until([](const console_model& m) {
    return m.snapshots == 1 && m.named("waiting-before-connect").has_value();
  })) << "a snapshot with the task spawned before the console connected";
  EXPECT_NE(console.model().watcher_id, 0u);
  // The snapshot may catch it in its first poll; it then goes idle on its wait.
  EXPECT_TRUE(console.read_until([](const console_model& m) {
    return m.named("waiting-before-connect")->state == asio_console::v1::TASK_STATE_IDLE;
  }));
}

TEST_F(ServerTest, DeltasCarryNewTasksAndACompletionExactlyOnce) {
  update_reader console(server_.address());
  ASSERT_TRUE(console.read_until([](const console_model& m) { return m.snapshots == 1; }));
  spawn_waiting("arrives-later");
  spawn_finishing("finishes-quickly");
  ASSERT_TRUE(console.read_until([](const console_model& m) {
    const auto finished = m.named("finishes-quickly");
    return m.named("arrives-later") && finished && finished->state == asio_console::v1::TASK_STATE_COMPLETED;
  }));
  // Several more publications go by; the completion must not be reported again.
  console.read_until([](const console_model&) { return false; }, 300ms);
  std::uint64_t id = 0;
  for (const auto& [task_id, task] : console.model().tasks) {
    if (task.name == "finishes-quickly") id = task_id;
  }
  EXPECT_EQ(console.model().completions[id], 1);
  EXPECT_EQ(console.model().snapshots, 1) << "no resynchronization for a console that keeps up";
}

TEST_F(ServerTest, TwoWatchersEachGetEverything) {
  update_reader first(server_.address());
  update_reader second(server_.address());
  spawn_waiting("seen-by-both");
  const auto sees = [](const console_model& m) { return m.named("seen-by-both").has_value(); };
  ASSERT_TRUE(first.read_until(sees));
  ASSERT_TRUE(second.read_until(sees));
  EXPECT_NE(first.model().watcher_id, second.model().watcher_id);
}

TEST_F(ServerTest, PauseStopsUpdatesAndResumeStartsOverFromASnapshot) {
  update_reader console(server_.address());
  ASSERT_TRUE(console.read_until([](const console_model& m) { return m.snapshots == 1; }));
  auto stub = asio_console::testing::connect(server_.address());
  {
    grpc::ClientContext context;
    asio_console::v1::PauseRequest request;
    request.set_watcher_id(console.model().watcher_id);
    asio_console::v1::PauseResponse response;
    ASSERT_TRUE(stub->Pause(&context, request, &response).ok());
  }
  // Whatever was already queued may still arrive (slowly, under a sanitizer); after 500 ms of
  // silence the queue has drained, and then nothing may come for several intervals.
  while (console.next(500ms)) {
  }
  spawn_waiting("while-paused");
  EXPECT_FALSE(console.next(300ms).has_value()) << "a paused watcher is sent nothing";
  {
    grpc::ClientContext context;
    asio_console::v1::ResumeRequest request;
    request.set_watcher_id(console.model().watcher_id);
    asio_console::v1::ResumeResponse response;
    ASSERT_TRUE(stub->Resume(&context, request, &response).ok());
  }
  ASSERT_TRUE(console.read_until([](const console_model& m) {
    return m.snapshots == 2 && m.named("while-paused").has_value();
  }));
  EXPECT_EQ(console.model().last_resync_reason, "resumed after a pause");
}

TEST_F(ServerTest, PauseOfAnUnknownWatcherIsNotFound) {
  auto stub = asio_console::testing::connect(server_.address());
  grpc::ClientContext context;
  asio_console::v1::PauseRequest request;
  request.set_watcher_id(987654321);
  asio_console::v1::PauseResponse response;
  EXPECT_EQ(stub->Pause(&context, request, &response).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ServerTest, AnotherClientCannotPauseAConsoleByGuessingItsId) {
  update_reader victim(server_.address());
  update_reader attacker(server_.address());
  ASSERT_TRUE(victim.read_until([](const console_model& m) { return m.snapshots == 1; }));
  ASSERT_TRUE(attacker.read_until([](const console_model& m) { return m.snapshots == 1; }));
  const std::uint64_t own = attacker.model().watcher_id;
  // Ids near its own and the small ones a counter would hand out: none is another's.
  auto stub = asio_console::testing::connect(server_.address());
  int paused = 0;
  const auto try_pause = [&](std::uint64_t id) {
    if (id == own) return;
    grpc::ClientContext context;
    asio_console::v1::PauseRequest request;
    request.set_watcher_id(id);
    asio_console::v1::PauseResponse response;
    paused += stub->Pause(&context, request, &response).ok();
  };
  for (std::uint64_t id = 1; id <= 200; ++id) try_pause(id);
  for (std::uint64_t delta = 1; delta <= 100; ++delta) {
    try_pause(own + delta);
    try_pause(own - delta);
  }
  EXPECT_EQ(paused, 0) << "a guessed id paused a console";
  spawn_waiting("seen-after-the-attack");
  EXPECT_TRUE(victim.read_until([](const console_model& m) { return m.named("seen-after-the-attack").has_value(); }))
      << "the victim still gets its updates";
  EXPECT_GT(victim.model().watcher_id > own ? victim.model().watcher_id - own : own - victim.model().watcher_id, 1u << 20)
      << "ids are not handed out in sequence";
}

TEST_F(ServerTest, ConsoleThatDiesMidStreamCanReconnect) {
  spawn_waiting("survives-reconnect");
  {
    update_reader console(server_.address());
    ASSERT_TRUE(console.read_until([](const console_model& m) { return m.snapshots == 1; }));
  }  // cancelled mid-stream
  update_reader again(server_.address());
  ASSERT_TRUE(again.read_until([](const console_model& m) { return m.named("survives-reconnect").has_value(); }));
}

TEST_F(ServerTest, VersionMismatchIsRefusedWithAReason) {
  update_reader console(server_.address(), /*protocol_version=*/2);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!console.ended() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  const grpc::Status status = console.finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("version 1"), std::string::npos) << status.error_message();
}

TEST_F(ServerTest, StoppingTheServerEndsStreamsPromptly) {
  update_reader console(server_.address());
  ASSERT_TRUE(console.read_until([](const console_model& m) { return m.snapshots == 1; }));
  const auto start = std::chrono::steady_clock::now();
  server_.stop();
  const auto deadline = start + 10s;
  while (!console.ended() && std::chrono::steady_clock::now() < deadline) {
    console.next(50ms);
  }
  EXPECT_TRUE(console.ended()) << "the console sees its stream end";
  EXPECT_FALSE(console.finish().ok());
}

TEST(ServeOptions, BadAddressesAreClearErrors) {
  for (const char* bad : {"nonsense", "127.0.0.1:99999", "127.0.0.1:http", "unix:relative/path", "[::1"}) {
    asio_console::serve_options options = test_options();
    options.bind = bad;
    const asio_console::server server = asio_console::serve(options);
    EXPECT_FALSE(server.ok()) << bad;
    EXPECT_NE(server.status().message().find("bad bind address"), std::string::npos) << server.status();
  }
}

TEST(ServeOptions, NonLoopbackAddressNeedsAllowRemote) {
  asio_console::serve_options options = test_options();
  options.bind = "0.0.0.0:0";
  const asio_console::server refused = asio_console::serve(options);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("allow_remote"), std::string::npos) << refused.status();
}

TEST(ServeOptions, AddressInUseIsAClearErrorAndTheFirstServerKeepsServing) {
  const asio_console::server first = asio_console::serve(test_options());
  ASSERT_TRUE(first.ok()) << first.status();
  asio_console::serve_options options = test_options();
  options.bind = first.address();
  // What the process prints: our one line, not gRPC's log lines before it.
  const auto captured = std::filesystem::temp_directory_path() / ("asio-console-stderr-" + std::to_string(::getpid()));
  std::fflush(stderr);
  const int saved_stderr = ::dup(2);
  const int file = ::open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(file, 2);
  const asio_console::server second = asio_console::serve(options);
  std::fflush(stderr);
  ::dup2(saved_stderr, 2);
  ::close(saved_stderr);
  ::close(file);
  std::ifstream in(captured);
  const std::string printed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(captured);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
  EXPECT_NE(second.status().message().find("in use"), std::string::npos) << second.status();
  EXPECT_EQ(printed, "asio-console: cannot listen on " + first.address() + ": the address is in use\n");
  update_reader console(first.address());
  EXPECT_TRUE(console.read_until([](const console_model& m) { return m.snapshots == 1; }));
}

TEST(ServeOptions, UnixSocketIsPrivateToItsUser) {
  const auto dir = std::filesystem::temp_directory_path() / ("asio-console-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "console.sock").string();
  asio_console::serve_options options = test_options();
  options.bind = "unix:" + path;
  asio_console::server server = asio_console::serve(options);
  ASSERT_TRUE(server.ok()) << server.status();
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  {
    update_reader console(server.address());
    EXPECT_TRUE(console.read_until([](const console_model& m) { return m.snapshots == 1; }));
  }
  server.stop();
  std::filesystem::remove_all(dir);
}

// A fresh directory for unix sockets, removed at the end.
struct socket_directory {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("asio-console-sockets-" + std::to_string(::getpid()));
  socket_directory() { std::filesystem::create_directories(path); }
  ~socket_directory() { std::filesystem::remove_all(path); }
};

asio_console::server serve_unix(const std::string& uri_path) {
  asio_console::serve_options options = test_options();
  options.bind = "unix:" + uri_path;
  return asio_console::serve(options);
}

TEST(ServeOptions, AUnixPathALiveServerAnswersOnIsInUseAndStaysItsOwn) {
  socket_directory dir;
  const std::string path = (dir.path / "console.sock").string();
  asio_console::server first = serve_unix(path);
  ASSERT_TRUE(first.ok()) << first.status();
  asio_console::server second = serve_unix(path);
  EXPECT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("in use"), std::string::npos) << second.status();
  update_reader console(first.address());
  EXPECT_TRUE(console.read_until([](const console_model& m) { return m.snapshots == 1; })) << "the first still serves";
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path), {}), 1) << "no directory left behind";
}

TEST(ServeOptions, AStaleUnixSocketIsReplacedAndOtherFilesAreNot) {
  socket_directory dir;
  const std::string path = (dir.path / "console.sock").string();
  {
    // A socket file whose server is gone (closed without removing it).
    asio::io_context ctx;
    asio::local::stream_protocol::acceptor stale(ctx, asio::local::stream_protocol::endpoint(path));
  }
  ASSERT_TRUE(std::filesystem::is_socket(path));
  asio_console::server server = serve_unix(path);
  ASSERT_TRUE(server.ok()) << server.status();
  update_reader console(server.address());
  EXPECT_TRUE(console.read_until([](const console_model& m) { return m.snapshots == 1; }));
  server.stop();
  EXPECT_FALSE(std::filesystem::exists(path)) << "its socket is removed when it stops";

  const std::string regular = (dir.path / "notes.txt").string();
  std::ofstream(regular) << "keep me";
  asio_console::server refused = serve_unix(regular);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("not a socket"), std::string::npos) << refused.status();
  EXPECT_TRUE(std::filesystem::is_regular_file(regular));
}

// sockaddr_un holds 107 bytes of path: a longer one would be listed and listened on, and no client
// could ever connect. Refused instead, in one line; 107 bytes serve.
TEST(ServeOptions, AUnixPathOver107BytesIsRefusedAnd107Serve) {
  socket_directory dir;
  const std::string folder = dir.path.string() + "/";
  const std::string longest = folder + std::string(107 - folder.size(), 'a');
  ASSERT_EQ(longest.size(), 107u);
  asio_console::server server = serve_unix(longest);
  ASSERT_TRUE(server.ok()) << server.status();
  update_reader console(server.address());
  EXPECT_TRUE(console.read_until([](const console_model& m) { return m.snapshots == 1; })) << "a client connects";
  asio_console::server too_long = serve_unix(longest + "b");
  EXPECT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("a unix socket's path is at most 107 bytes (this one has 108)"),
            std::string::npos)
      << too_long.status();
  EXPECT_TRUE(too_long.address().empty());
}

TEST(ServeOptions, AnEscapedUnixPathIsPrivateAtThePathItReallyHasEvenUnderUmaskZero) {
  socket_directory dir;
  const mode_t saved = ::umask(0);
  asio_console::server server = serve_unix((dir.path / "r%2Esock").string());
  ::umask(saved);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string real = (dir.path / "r.sock").string();
  struct stat info {};
  ASSERT_EQ(::stat(real.c_str(), &info), 0) << "the socket is at the decoded path";
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  update_reader console(server.address());
  EXPECT_TRUE(console.read_until([](const console_model& m) { return m.snapshots == 1; }));
  asio_console::server malformed = serve_unix((dir.path / "bad%zz").string());
  EXPECT_FALSE(malformed.ok());
  EXPECT_NE(malformed.status().message().find("malformed % escape"), std::string::npos) << malformed.status();
}

TEST(ServeOptions, EnvironmentIsReadAndBadValuesExplained) {
  ::setenv("ASIO_CONSOLE_BIND", "unix:/tmp/x.sock", 1);
  ::setenv("ASIO_CONSOLE_PUBLISH_INTERVAL", "soon", 1);
  ::setenv("ASIO_CONSOLE_ALLOW_REMOTE", "perhaps", 1);
  std::vector<std::string> problems;
  const auto options = asio_console::serve_options::from_environment(problems);
  ::unsetenv("ASIO_CONSOLE_BIND");
  ::unsetenv("ASIO_CONSOLE_PUBLISH_INTERVAL");
  ::unsetenv("ASIO_CONSOLE_ALLOW_REMOTE");
  EXPECT_EQ(options.bind, "unix:/tmp/x.sock");
  EXPECT_EQ(options.publish_interval, absl::Seconds(1));
  EXPECT_FALSE(options.allow_remote);
  ASSERT_EQ(problems.size(), 2u);
  // One form for every variable, the recorder's too: what was given, what is expected, what is kept.
  EXPECT_EQ(problems[0], "ignoring ASIO_CONSOLE_PUBLISH_INTERVAL='soon': expected a duration from 10ms to 10m "
                         "such as 500ms or 2s; keeping 1s");
  EXPECT_EQ(problems[1], "ignoring ASIO_CONSOLE_ALLOW_REMOTE='perhaps': expected 1 or 0; keeping 0");

  ::setenv("ASIO_CONSOLE_STALL_TIMEOUT", "5s", 1);
  problems.clear();
  EXPECT_EQ(asio_console::serve_options::from_environment(problems).stall_timeout, absl::Seconds(5));
  ::setenv("ASIO_CONSOLE_STALL_TIMEOUT", "10ms", 1);
  EXPECT_EQ(asio_console::serve_options::from_environment(problems).stall_timeout, absl::Seconds(30));
  ::unsetenv("ASIO_CONSOLE_STALL_TIMEOUT");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "ignoring ASIO_CONSOLE_STALL_TIMEOUT='10ms': expected a duration from 1s to 1h such as 10s "
                         "or 2m; keeping 30s");
}

TEST(ServeOptions, LimitsThatWouldRefuseEveryConsoleAreRefused) {
  asio_console::serve_options options;
  options.bind = "127.0.0.1:0";
  options.max_streams = 0;
  EXPECT_EQ(asio_console::serve(options).status().message(),
            "max_streams and max_streams_per_connection must be at least 1");
  options.max_streams = 64;
  options.max_request_bytes = 10;
  EXPECT_EQ(asio_console::serve(options).status().message(), "max_request_bytes must be from 1KiB to 1GiB");
}

}  // namespace
