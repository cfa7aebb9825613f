// task_executor is a small executor value that forwards every property to the executor it wraps.
#include <gtest/gtest.h>

#include <asio_console/asio_console.hpp>

#include "support/asio.hpp"

namespace {
namespace asio = asio_console::testing::asio;
namespace execution = asio::execution;
using io_executor = asio::io_context::executor_type;
using wrapped = asio_console::task_executor<io_executor>;

static_assert(execution::is_executor<wrapped>::value);
static_assert(std::is_nothrow_copy_constructible_v<wrapped>, "any_io_executor requires a noexcept copy");
static_assert(sizeof(wrapped) <= 3 * sizeof(void*), "must fit any_io_executor's inline buffer");
static_assert(std::is_constructible_v<asio::any_io_executor, wrapped>);

TEST(TaskExecutor, ForwardsQueriesAndRequirementsToTheInnerExecutor) {
  asio::io_context ctx;
  const wrapped executor(ctx.get_executor(), {});
  EXPECT_EQ(&asio::query(executor, execution::context), &ctx);
  const auto never = asio::require(executor, execution::blocking.never);
  EXPECT_EQ(asio::query(never, execution::blocking), execution::blocking.never);
  const auto tracked = asio::prefer(executor, execution::outstanding_work.tracked);
  EXPECT_EQ(asio::query(tracked, execution::outstanding_work), execution::outstanding_work.tracked);
  EXPECT_EQ(tracked.task(), executor.task()) << "derived executors keep the task";
}

TEST(TaskExecutor, EqualityComparesTaskAndInnerExecutor) {
  using asio_console::instrumentation::registry;
  asio::io_context ctx, other;
  const auto task = registry::instance().spawn(std::source_location::current(), nullptr);
  const auto another = registry::instance().spawn(std::source_location::current(), nullptr);
  const wrapped a(ctx.get_executor(), task);
  EXPECT_EQ(a, wrapped(ctx.get_executor(), task));
  EXPECT_NE(a, wrapped(ctx.get_executor(), another));
  EXPECT_NE(a, wrapped(other.get_executor(), task));
  EXPECT_EQ(a.task(), task);
  registry::instance().finish(task, asio_console::instrumentation::task_outcome::completed);
  registry::instance().finish(another, asio_console::instrumentation::task_outcome::completed);
  EXPECT_EQ(a.task(), asio_console::instrumentation::task_handle{}) << "a finished task's executor only forwards";
}

TEST(TaskExecutor, WithoutATaskItOnlyForwards) {
  asio::io_context ctx;
  int runs = 0;
  asio::post(wrapped(ctx.get_executor(), {}), [&] { ++runs; });
  ctx.run();
  EXPECT_EQ(runs, 1);
}

TEST(TaskExecutor, CoroutinesSeeTheirTaskExecutorThroughAnyIoExecutor) {
  asio::io_context ctx;
  bool is_task_executor = false;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    asio::any_io_executor executor = co_await asio::this_coro::executor;
    is_task_executor = executor.target<wrapped>() != nullptr;
  }, asio::detached);
  ctx.run();
  EXPECT_TRUE(is_task_executor);
}

TEST(TaskExecutor, ChildOfATaskDoesNotNestItsParentsWrapper) {
  asio::io_context ctx;
  bool child_wraps_plain_executor = false;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    co_await asio_console::co_spawn(co_await asio::this_coro::executor, [&]() -> asio::awaitable<void> {
      asio::any_io_executor executor = co_await asio::this_coro::executor;
      child_wraps_plain_executor = executor.target<wrapped>() != nullptr;
    }, asio::use_awaitable);
  }, asio::detached);
  ctx.run();
  EXPECT_TRUE(child_wraps_plain_executor);
}

}  // namespace
