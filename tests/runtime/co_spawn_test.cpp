#include <gtest/gtest.h>

#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>

namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<void> sleeper() {
  asio::steady_timer timer(co_await asio::this_coro::executor, 10ms);
  co_await timer.async_wait(asio::use_awaitable);
}

TEST(CoSpawn, Smoke) {
  asio::io_context ctx;
  asio_console::co_spawn(ctx, sleeper(), asio::detached, {.name = "sleeper"});
  ctx.run();
  auto snap = asio_console::instrumentation::take_snapshot();
  ASSERT_FALSE(snap.tasks.empty());
}
}  // namespace
