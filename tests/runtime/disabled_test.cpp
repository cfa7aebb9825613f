// With ASIO_CONSOLE_DISABLE, asio_console::co_spawn is plain boost::asio::co_spawn: same results,
// options accepted and ignored, nothing recorded.
#include <gtest/gtest.h>

#include <asio_console/asio_console.hpp>
#include <asio_console/instrumentation/registry.hpp>
#include <boost/asio.hpp>

#ifndef ASIO_CONSOLE_DISABLE
#error "this test must be compiled with ASIO_CONSOLE_DISABLE"
#endif

namespace {
namespace asio = boost::asio;

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

}  // namespace
