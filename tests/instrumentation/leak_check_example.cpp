// A program's own test suite using the leak check, as a user writes it: it fails while the server
// leaks its reporters (the output names the constructor that spawns them) and passes once fixed
// (LEAK_CHECK_EXAMPLE_FIXED=1). CTest runs it both ways (tests/CMakeLists.txt).
#include <asio_console/asio_console.hpp>
#include <asio_console/testing.hpp>
#include <boost/asio.hpp>
#include <cstdlib>
#include <memory>
#include <vector>
#include <gtest/gtest.h>

namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<void> report_metrics_forever(std::shared_ptr<asio::steady_timer> timer) {
  for (;;) {
    timer->expires_after(1h);
    co_await timer->async_wait(asio::use_awaitable);  // a cancel ends the task
  }
}

struct metrics_reporter {
  explicit metrics_reporter(asio::io_context& ctx) : timer(std::make_shared<asio::steady_timer>(ctx)) {
    asio_console::co_spawn(ctx, report_metrics_forever(timer), asio::detached, {.name = "metrics-reporter"});
  }
  ~metrics_reporter() {
    if (std::getenv("LEAK_CHECK_EXAMPLE_FIXED") != nullptr) timer->cancel();  // the fix
  }
  std::shared_ptr<asio::steady_timer> timer;
};

struct request_context {
  explicit request_context(asio::io_context& ctx) : reporter(ctx) {}
  metrics_reporter reporter;
};

TEST(Server, HandlesRequestsWithoutLeavingTasksBehind) {
  asio::io_context ctx;
  {
    std::vector<std::unique_ptr<request_context>> requests;
    for (int i = 0; i < 5; ++i) requests.push_back(std::make_unique<request_context>(ctx));
    ctx.run_for(20ms);  // the requests are served, then they end
  }
  ctx.run_for(30ms);
  EXPECT_TRUE(asio_console::testing::no_leaked_tasks({.grace = 200ms}));
}

}  // namespace
