// With ASIO_CONSOLE_DISABLE, asio_console::co_spawn is Asio's own co_spawn: same results,
// options accepted and ignored, nothing recorded; serve() and snapshots compile and do nothing.
#include <gtest/gtest.h>

#include <asio_console/asio_console.hpp>
#include <asio_console/instrumentation/registry.hpp>
#include <asio_console/testing.hpp>

#include "support/asio.hpp"

#ifndef ASIO_CONSOLE_DISABLE
#error "this test must be compiled with ASIO_CONSOLE_DISABLE"
#endif

namespace {
namespace asio = asio_console::testing::asio;

asio::awaitable<int> answer() { co_return 42; }

TEST(Disabled, CoSpawnRunsTasksWithoutRecordingThem) {
  asio::io_context ctx;
  int result = 0;
  bool plain_executor = false;
  asio_console::co_spawn(ctx, answer(), [&](std::exception_ptr, int value) { result = value; }, {.name = "ignored"});
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    asio::any_io_executor executor = co_await asio::this_coro::executor;
    plain_executor = executor.target<asio::io_context::executor_type>() != nullptr;
  }, asio::detached);
  ctx.run();
  EXPECT_EQ(result, 42);
  EXPECT_TRUE(plain_executor) << "no task_executor wrapper";
  EXPECT_EQ(asio_console::instrumentation::registry::instance().counters().spawned, 0u);
}

TEST(Disabled, TheConcreteExecutorAliasIsThePlainExecutor) {
  using executor_type = asio_console::task_executor<asio::io_context::executor_type>;
  static_assert(std::is_same_v<executor_type, asio::io_context::executor_type>);
  asio::io_context ctx;
  bool ran = false;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void, executor_type> {
    ran = true;
    co_return;
  }, asio::detached);
  ctx.run();
  EXPECT_TRUE(ran);
}

TEST(Disabled, ServeCompilesAndServesNothing) {
  // README's code, as written for a recorded build.
  asio_console::serve_options options;
  options.bind = "127.0.0.1:0";
  asio_console::server console = asio_console::serve(options);
  EXPECT_TRUE(console.ok()) << "nothing failed: nothing was asked";
  EXPECT_TRUE(console.address().empty());
  EXPECT_TRUE(console.status().ok());
  console.stop();
  asio_console::server from_environment = asio_console::serve();
  EXPECT_TRUE(from_environment.ok());
  EXPECT_TRUE(asio_console::instrumentation::take_snapshot().tasks.empty());
}

TEST(Disabled, LeakChecksCompileAndPass) {
  asio::io_context ctx;
  asio_console::co_spawn(ctx, []() -> asio::awaitable<void> {
    asio::steady_timer forever(co_await asio::this_coro::executor, std::chrono::hours(1));
    co_await forever.async_wait(asio::use_awaitable);
  }, asio::detached);
  ctx.run_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(asio_console::testing::no_leaked_tasks({.grace = std::chrono::milliseconds(0)})) << "nothing is recorded";
}

}  // namespace
