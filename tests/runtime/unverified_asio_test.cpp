// An Asio whose internals were not checked (built with ASIO_CONSOLE_PRETEND_ASIO_VERSION=103900,
// as if Asio were 1.39): every task is still recorded, through Asio's public co_spawn, but with no
// await stack, and the recorder says why, once.
#include <gtest/gtest.h>

#include <asio_console/asio_console.hpp>
#include <asio_console/instrumentation/capabilities.hpp>
#include <cstdio>
#include <string>

#include "support/asio.hpp"
#include "support/snapshot_queries.hpp"

namespace {
namespace asio = asio_console::testing::asio;
namespace instrumentation = asio_console::instrumentation;
using namespace std::chrono_literals;
using asio_console::testing::snapshot;
using asio_console::testing::task_named;
using instrumentation::task_state;

static_assert(!asio_console::detail::asio_internals::frames_checked, "this program pretends Asio is 1.39");

asio::awaitable<void> wait_on_timer(std::chrono::milliseconds how_long) {
  asio::steady_timer timer(co_await asio::this_coro::executor, how_long);
  co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<void> parent_of_one() {
  asio_console::co_spawn(co_await asio::this_coro::executor, wait_on_timer(1ms), asio::detached, {.name = "child"});
  co_await wait_on_timer(1ms);
}

TEST(UnverifiedAsio, CapabilitiesSayAwaitStacksAreOffAndWhy) {
  const instrumentation::capabilities capabilities = instrumentation::current_capabilities();
  EXPECT_FALSE(capabilities.await_stacks);
  EXPECT_EQ(capabilities.reason, ASIO_CONSOLE_ASIO_NAME " 1.39.0 is newer than the newest checked (1.38.2)");
}

TEST(UnverifiedAsio, EveryTaskIsRecordedWithItsStateTimesSiteSpawnStackAndParentButNoAwaitStack) {
  instrumentation::recorder_options options = instrumentation::registry::instance().options();
  options.stacks = {.first = 1'000'000, .every = 1};  // sample every spawn
  instrumentation::registry::instance().configure(options);

  asio::io_context ctx;
  asio_console::co_spawn(ctx, parent_of_one(), asio::detached, {.name = "parent"});
  asio_console::co_spawn(ctx, wait_on_timer(1h), asio::detached, {.name = "sleeper"});
  const auto child_completed = [] {
    const auto child = task_named(snapshot(), "child");
    return child && child->state == task_state::completed;
  };
  for (int i = 0; i < 200 && !child_completed(); ++i) ctx.run_for(5ms);
  ctx.run_for(20ms);

  const auto snap = snapshot();
  const auto parent = task_named(snap, "parent");
  const auto child = task_named(snap, "child");
  const auto sleeper = task_named(snap, "sleeper");
  ASSERT_TRUE(parent && child && sleeper);
  EXPECT_EQ(parent->state, task_state::completed);
  EXPECT_EQ(child->state, task_state::completed);
  EXPECT_EQ(child->parent_id, parent->id);
  EXPECT_EQ(sleeper->state, task_state::idle);
  EXPECT_GE(parent->polls, 2u);
  EXPECT_GT(sleeper->total_ns, 0);
  EXPECT_NE(sleeper->stack, 0u) << "spawn stacks are sampled";
  EXPECT_EQ(sleeper->await_stack, 0u) << "no await stack on an unchecked Asio";
  bool site_found = false;
  for (const auto& site : snap.sites) {
    if (site.id != sleeper->site_id) continue;
    site_found = true;
    EXPECT_NE(site.file.find("unverified_asio_test.cpp"), std::string::npos) << site.file;
  }
  EXPECT_TRUE(site_found);
}

TEST(UnverifiedAsio, TasksOnAStrandAreRecordedThroughTheGenericWrapper) {
  asio::io_context ctx;
  auto strand = asio::make_strand(ctx);
  int done = 0;
  for (int i = 0; i < 10; ++i) {
    asio_console::co_spawn(strand, [&]() -> asio::awaitable<void> {
      co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
      ++done;
    }, asio::detached, {.name = "on-strand"});
  }
  ctx.run();
  EXPECT_EQ(done, 10);
  const auto task = task_named(snapshot(), "on-strand");
  ASSERT_TRUE(task);
  EXPECT_EQ(task->state, task_state::completed);
  EXPECT_EQ(task->polls, 2u);
  EXPECT_EQ(task->wakes, 1u);
}

TEST(UnverifiedAsio, TheRecorderSaysSoOnceOnStderr) {
  std::FILE* pipe = ::popen(UNVERIFIED_ASIO_EXAMPLE " 2>&1", "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  EXPECT_EQ(::pclose(pipe), 0) << output;
  const std::string line =
      "asio-console: await stacks are off: " ASIO_CONSOLE_ASIO_NAME " 1.39.0 is newer than the newest checked (1.38.2)";
  const std::size_t first = output.find(line);
  EXPECT_NE(first, std::string::npos) << output;
  EXPECT_EQ(output.find(line, first + 1), std::string::npos) << "said once\n" << output;
}

}  // namespace
