// asio_console::testing::no_leaked_tasks: a leak like the demo's fails with who spawned the tasks
// and where they wait; the fixed code passes; ignore options and the baseline leave tasks alone.
#include "asio_console/testing.hpp"

#include <gtest/gtest.h>

#include <asio_console/asio_console.hpp>
#include <memory>
#include <vector>

#include "support/asio.hpp"

namespace {
namespace asio = asio_console::testing::asio;
using namespace std::chrono_literals;
using asio_console::testing::leak_check_options;
using asio_console::testing::no_leaked_tasks;
using asio_console::testing::task_baseline;

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

asio::awaitable<void> report_metrics_forever(std::shared_ptr<asio::steady_timer> timer) {
  for (;;) {
    timer->expires_after(1h);
    co_await timer->async_wait(asio::use_awaitable);  // a cancel ends the task
  }
}

// The demo's bug: every request default-constructs a reporter whose constructor spawns a task
// nobody stops. With `stop_in_destructor`, the fix: the destructor cancels it.
struct metrics_reporter {
  explicit metrics_reporter(asio::io_context& ctx, bool stop_in_destructor = false)
      : stop(stop_in_destructor), timer(std::make_shared<asio::steady_timer>(ctx)) {
    asio_console::co_spawn(ctx, report_metrics_forever(timer), asio::detached, {.name = "metrics-reporter"});
  }
  ~metrics_reporter() {
    if (stop) timer->cancel();
  }
  bool stop;
  std::shared_ptr<asio::steady_timer> timer;
};

struct request_context {
  explicit request_context(asio::io_context& ctx, bool fixed) : reporter(ctx, fixed) {}
  metrics_reporter reporter;
};

// Requests come, their reporters start, the requests end.
void handle_requests(asio::io_context& ctx, int count, bool fixed) {
  std::vector<std::unique_ptr<request_context>> requests;
  for (int i = 0; i < count; ++i) requests.push_back(std::make_unique<request_context>(ctx, fixed));
  ctx.run_for(20ms);
  requests.clear();
  ctx.run_for(30ms);
}

TEST(NoLeakedTasks, ALeakFailsNamingTheConstructorAndWhereTheTasksWait) {
  asio::io_context ctx;
  handle_requests(ctx, 3, /*fixed=*/false);
  const ::testing::AssertionResult result = no_leaked_tasks({.grace = 200ms});
  ASSERT_FALSE(result);
  const std::string message = result.message();
  EXPECT_TRUE(contains(message, "3 tasks leaked")) << message;
  EXPECT_TRUE(contains(message, "3 x \"metrics-reporter\" (idle)")) << message;
  EXPECT_TRUE(contains(message, "metrics_reporter::metrics_reporter")) << "the spawn stack names the constructor\n"
                                                                     << message;
  EXPECT_TRUE(contains(message, "waiting in")) << message;
  EXPECT_TRUE(contains(message, "report_metrics_forever")) << "where they wait\n" << message;
}

TEST(NoLeakedTasks, TheFixedCodePasses) {
  asio::io_context ctx;
  handle_requests(ctx, 3, /*fixed=*/true);
  EXPECT_TRUE(no_leaked_tasks());
}

TEST(NoLeakedTasks, WaitsForTasksThatAreStillFinishing) {
  asio::io_context ctx;
  asio_console::co_spawn(ctx, []() -> asio::awaitable<void> {
    asio::steady_timer timer(co_await asio::this_coro::executor, 100ms);
    co_await timer.async_wait(asio::use_awaitable);
  }, asio::detached, {.name = "finishing"});
  std::thread runner([&] { ctx.run(); });
  EXPECT_TRUE(no_leaked_tasks({.grace = 5s})) << "it ends within the grace period";
  runner.join();
}

TEST(NoLeakedTasks, IgnoredTasksAreLeftAlone) {
  asio::io_context ctx;
  handle_requests(ctx, 2, /*fixed=*/false);
  EXPECT_TRUE(no_leaked_tasks({.grace = 0ms, .ignore_names = {"metrics-reporter"}}));
  EXPECT_TRUE(no_leaked_tasks({.grace = 0ms, .ignore_functions = {"metrics_reporter"}}))
      << "the spawn site's function: the constructor";
  EXPECT_TRUE(no_leaked_tasks({.grace = 0ms, .ignore_files = {"testing_test\\.cpp$"}}));
  EXPECT_FALSE(no_leaked_tasks({.grace = 0ms, .ignore_names = {"metrics"}})) << "names match exactly";
}

TEST(NoLeakedTasks, TasksLiveAtTheBaselineAreLeftAloneAndLaterOnesAreNot) {
  asio::io_context ctx;
  handle_requests(ctx, 2, /*fixed=*/false);  // a fixture's server, say
  const task_baseline before;
  EXPECT_EQ(before.size(), 2u);
  EXPECT_TRUE(no_leaked_tasks({.grace = 0ms, .baseline = &before}));
  handle_requests(ctx, 1, /*fixed=*/false);
  const ::testing::AssertionResult result = no_leaked_tasks({.grace = 0ms, .baseline = &before});
  ASSERT_FALSE(result);
  EXPECT_TRUE(contains(result.message(), "1 task leaked")) << result.message();
}

}  // namespace
