// Tasks on an io_context run by two threads: counts stay exact, states stay consistent. Run under
// ThreadSanitizer in CI.
#include <gtest/gtest.h>

#include <asio_console/asio_console.hpp>
#include <atomic>
#include <thread>

#include "support/asio.hpp"
#include "support/snapshot_queries.hpp"

namespace {
namespace asio = asio_console::testing::asio;
using namespace std::chrono_literals;
using asio_console::instrumentation::task_outcome;
using asio_console::instrumentation::task_state;
using asio_console::testing::snapshot;

void run_on_two_threads(asio::io_context& ctx) {
  std::thread other([&] { ctx.run(); });
  ctx.run();
  other.join();
}

TEST(Threads, PollsAndWakesAreExactWithTwoThreadsOnOneContext) {
  constexpr int tasks = 500;
  constexpr int yields = 3;
  asio::io_context ctx(2);
  for (int i = 0; i < tasks; ++i) {
    asio_console::co_spawn(ctx, []() -> asio::awaitable<void> {
      for (int y = 0; y < yields; ++y) co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    }, asio::detached, {.name = "two-threads"});
  }
  run_on_two_threads(ctx);
  int seen = 0;
  for (const auto& task : snapshot().tasks) {
    if (task.name != "two-threads") continue;
    ++seen;
    EXPECT_EQ(task.state, task_state::completed);
    EXPECT_EQ(task.polls, yields + 1u) << "task " << task.id;
    EXPECT_EQ(task.wakes, static_cast<std::uint64_t>(yields)) << "task " << task.id;
  }
  EXPECT_EQ(seen, tasks);
}

TEST(Threads, StrandSerializesTasksAndEveryResumptionIsCounted) {
  constexpr int tasks = 100;
  asio::io_context ctx(2);
  auto strand = asio::make_strand(ctx);
  int shared_counter = 0;  // protected by the strand alone
  for (int i = 0; i < tasks; ++i) {
    asio_console::co_spawn(strand, [&]() -> asio::awaitable<void> {
      for (int y = 0; y < 3; ++y) {
        ++shared_counter;
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
      }
    }, asio::detached, {.name = "on-strand"});
  }
  run_on_two_threads(ctx);
  EXPECT_EQ(shared_counter, tasks * 3);
  int seen = 0;
  for (const auto& task : snapshot().tasks) {
    if (task.name != "on-strand") continue;
    ++seen;
    EXPECT_EQ(task.outcome, task_outcome::completed);
    EXPECT_EQ(task.polls, 4u);
  }
  EXPECT_EQ(seen, tasks);
}

TEST(Threads, OperatorChildrenPollingAtOnceOnTwoThreadsKeepTheTaskConsistent) {
  using namespace asio::experimental::awaitable_operators;
  asio::io_context ctx(2);
  std::atomic<int> spins{0};
  auto busy_child = [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 200; ++i) {
      spins.fetch_add(1, std::memory_order_relaxed);
      co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    }
  };
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    co_await (busy_child() && busy_child());
  }, asio::detached, {.name = "parallel-children"});
  run_on_two_threads(ctx);
  EXPECT_EQ(spins.load(), 400);
  const auto task = asio_console::testing::task_named(snapshot(), "parallel-children");
  ASSERT_TRUE(task);
  EXPECT_EQ(task->outcome, task_outcome::completed);
  EXPECT_GE(task->polls, 400u) << "every child resumption is a poll of the awaiting task";
  EXPECT_EQ(task->total_ns >= task->idle_ns, true);
}

TEST(Threads, SnapshotsTakenWhileTasksRunSeeConsistentStates) {
  asio::io_context ctx(2);
  std::atomic<bool> stop{false};
  for (int i = 0; i < 50; ++i) {
    asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
      while (!stop.load()) co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    }, asio::detached, {.name = "churning"});
  }
  std::thread worker_a([&] { ctx.run(); });
  std::thread worker_b([&] { ctx.run(); });
  for (int round = 0; round < 50; ++round) {
    for (const auto& task : snapshot().tasks) {
      if (task.name != "churning") continue;
      EXPECT_LE(task.wakes, task.polls) << "every wake but a pending one has been answered by a poll";
      EXPECT_LE(task.scheduled_ns, task.total_ns);
      EXPECT_LE(task.busy_ns, 2 * task.total_ns + 1'000'000) << "two threads hold at most twice the wall time";
      EXPECT_EQ(task.idle_ns, std::max<std::int64_t>(0, task.total_ns - task.busy_ns - task.scheduled_ns));
    }
  }
  stop = true;
  worker_a.join();
  worker_b.join();
}

}  // namespace
