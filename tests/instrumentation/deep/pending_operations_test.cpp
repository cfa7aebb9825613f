// Deep mode (asio_console::deep): every operation a task waits on, with its object, while it is
// pending and not a moment after it completed or was cancelled. Built with the tracking header on
// every translation unit, as a user's program would be.
#include <gtest/gtest.h>
#include <signal.h>

#include <asio_console/asio_console.hpp>
#include <asio_console/instrumentation/pending_operations.hpp>
#include <set>
#include <thread>

#include "support/asio.hpp"
#include "support/loopback.hpp"
#include "support/run_until.hpp"
#include "support/snapshot_queries.hpp"

namespace {
namespace asio = asio_console::testing::asio;
using namespace std::chrono_literals;
using asio::ip::tcp;
using asio_console::instrumentation::pending_operation;
using asio_console::instrumentation::pending_operations;
using asio_console::testing::loopback_pair;
using asio_console::testing::run_until;
using asio_console::testing::id_of_task_named;

static_assert(ASIO_CONSOLE_DEEP, "this program is built in deep mode");

// The pending operations of the task called `name`.
std::vector<pending_operation> of(std::string_view name) {
  const std::uint64_t id = id_of_task_named(name);
  std::vector<pending_operation> mine;
  for (pending_operation& op : pending_operations()) {
    if (id != 0 && op.task_id == id) mine.push_back(std::move(op));
  }
  return mine;
}

TEST(PendingOperations, ATimerWaitIsListedWithItsTimerUntilItIsCancelled) {
  EXPECT_TRUE(asio_console::instrumentation::deep_mode());
  asio::io_context ctx;
  asio::steady_timer timer(ctx, 1h);
  bool done = false;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    asio_console::testing::error_code error;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
    done = true;
  }, asio::detached, {.name = "timer-waiter"});
  run_until(ctx, [] { return of("timer-waiter").size() == 1; });
  const pending_operation op = of("timer-waiter").at(0);
  EXPECT_EQ(op.operation, "async_wait");
  EXPECT_EQ(op.object_kind, "deadline_timer");
  EXPECT_NE(op.object_id, 0u);
  EXPECT_FALSE(op.native_handle.has_value());
  EXPECT_GT(op.since_ns, 0);
  timer.cancel();
  run_until(ctx, [&] { return done; });
  EXPECT_TRUE(of("timer-waiter").empty());
}

TEST(PendingOperations, ASocketReadCarriesTheSocketsFileDescriptor) {
  asio::io_context ctx;
  loopback_pair sockets(ctx);
  bool done = false;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    char byte;
    co_await sockets.server.async_read_some(asio::buffer(&byte, 1), asio::use_awaitable);
    done = true;
  }, asio::detached, {.name = "reader"});
  run_until(ctx, [] { return of("reader").size() == 1; });
  const pending_operation op = of("reader").at(0);
  EXPECT_EQ(op.operation, "async_receive");
  EXPECT_EQ(op.object_kind, "socket");
  EXPECT_EQ(op.native_handle, static_cast<std::uint64_t>(sockets.server.native_handle()));
  asio::write(sockets.client, asio::buffer("x", 1));
  run_until(ctx, [&] { return done; });
  EXPECT_TRUE(of("reader").empty());
}

TEST(PendingOperations, AnAcceptIsOnTheAcceptor) {
  asio::io_context ctx;
  tcp::acceptor acceptor(ctx, {asio::ip::address_v4::loopback(), 0});
  bool done = false;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    tcp::socket peer = co_await acceptor.async_accept(asio::use_awaitable);
    done = true;
  }, asio::detached, {.name = "listener"});
  run_until(ctx, [] { return of("listener").size() == 1; });
  const pending_operation op = of("listener").at(0);
  EXPECT_EQ(op.operation, "async_accept");
  EXPECT_EQ(op.object_kind, "acceptor");
  EXPECT_EQ(op.native_handle, static_cast<std::uint64_t>(acceptor.native_handle()));
  tcp::socket client(ctx);
  client.connect(acceptor.local_endpoint());
  run_until(ctx, [&] { return done; });
  EXPECT_TRUE(of("listener").empty());
}

TEST(PendingOperations, AChannelReceiveIsOnTheChannel) {
  asio::io_context ctx;
  asio::experimental::channel<void(asio_console::testing::error_code, int)> channel(ctx);
  int received = 0;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    received = co_await channel.async_receive(asio::use_awaitable);
  }, asio::detached, {.name = "consumer"});
  run_until(ctx, [] { return of("consumer").size() == 1; });
  EXPECT_EQ(of("consumer").at(0).operation, "async_receive");
  EXPECT_EQ(of("consumer").at(0).object_kind, "channel");
  channel.try_send(asio_console::testing::error_code{}, 7);
  run_until(ctx, [&] { return received == 7; });
  EXPECT_TRUE(of("consumer").empty());
}

TEST(PendingOperations, ASignalWaitIsOnTheSignalSet) {
  asio::io_context ctx;
  asio::signal_set signals(ctx, SIGUSR1);
  bool done = false;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    co_await signals.async_wait(asio::use_awaitable);
    done = true;
  }, asio::detached, {.name = "signal-waiter"});
  run_until(ctx, [] { return of("signal-waiter").size() == 1; });
  EXPECT_EQ(of("signal-waiter").at(0).operation, "async_wait");
  EXPECT_EQ(of("signal-waiter").at(0).object_kind, "signal_set");
  ::raise(SIGUSR1);
  run_until(ctx, [&] { return done; });
  EXPECT_TRUE(of("signal-waiter").empty());
}

TEST(PendingOperations, TwoAtOnceAreBothListedAndTheLoserGoesWhenCancelled) {
  using namespace asio::experimental::awaitable_operators;
  asio::io_context ctx;
  loopback_pair sockets(ctx);
  asio::steady_timer timeout(ctx, 1h);
  bool done = false;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    char byte;
    co_await (sockets.server.async_read_some(asio::buffer(&byte, 1), asio::use_awaitable) ||
              timeout.async_wait(asio::use_awaitable));
    done = true;
  }, asio::detached, {.name = "racer"});
  run_until(ctx, [] { return of("racer").size() == 2; });
  std::set<std::string> kinds;
  for (const pending_operation& op : of("racer")) kinds.insert(std::string(op.object_kind));
  EXPECT_EQ(kinds, (std::set<std::string>{"deadline_timer", "socket"}));
  asio::write(sockets.client, asio::buffer("x", 1));
  run_until(ctx, [&] { return done; });
  EXPECT_TRUE(of("racer").empty()) << "the timer's wait was cancelled and is gone too";
}

TEST(PendingOperations, OperationsStartedOutsideAnyTaskAreNotListed) {
  asio::io_context ctx;
  asio::steady_timer timer(ctx, 1h);
  const std::size_t before = pending_operations().size();
  timer.async_wait([](asio_console::testing::error_code) {});
  asio::co_spawn(ctx, [&]() -> asio::awaitable<void> { co_await timer.async_wait(asio::use_awaitable); },
                 asio::detached);  // Asio's own co_spawn: no recorded task
  ctx.poll();
  EXPECT_EQ(pending_operations().size(), before);
  timer.cancel();
  ctx.run();
}

TEST(PendingOperations, ManyTasksOnTwoThreadsStartAndEndOperationsWhileTheListIsRead) {
  asio::io_context ctx;
  auto work = asio::make_work_guard(ctx);
  std::atomic<int> finished{0};
  constexpr int tasks = 200;
  for (int i = 0; i < tasks; ++i) {
    asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
      asio::steady_timer timer(co_await asio::this_coro::executor);
      for (int round = 0; round < 20; ++round) {
        timer.expires_after(2ms);  // long enough for the reader to see some, however loaded the machine
        co_await timer.async_wait(asio::use_awaitable);
      }
      ++finished;
    }, asio::detached, {.name = "churn"});
  }
  std::thread first([&] { ctx.run(); });
  std::thread second([&] { ctx.run(); });
  std::size_t most = 0;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (finished < tasks && std::chrono::steady_clock::now() < deadline) {
    const std::vector<pending_operation> now = pending_operations();
    std::set<std::uint64_t> waiting;
    for (const pending_operation& op : now) {
      EXPECT_EQ(op.object_kind, "deadline_timer");
      EXPECT_TRUE(waiting.insert(op.task_id).second) << "a task waits on one timer at a time";
    }
    most = std::max(most, now.size());
  }
  work.reset();
  first.join();
  second.join();
  EXPECT_EQ(finished, tasks);
  EXPECT_GT(most, 0u);
  EXPECT_LE(most, static_cast<std::size_t>(tasks));
  EXPECT_TRUE(of("churn").empty());
}

}  // namespace
