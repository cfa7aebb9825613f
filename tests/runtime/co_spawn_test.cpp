// asio_console::co_spawn accepts what boost::asio::co_spawn accepts and records one task per call.
#include <gtest/gtest.h>

#include <asio_console/asio_console.hpp>
#include <future>

#include "support/asio.hpp"
#include "support/snapshot_queries.hpp"

namespace {
namespace asio = asio_console::testing::asio;
using namespace std::chrono_literals;
using asio_console::instrumentation::task_outcome;
using asio_console::instrumentation::task_state;
using asio_console::testing::snapshot;
using asio_console::testing::task_by_id;
using asio_console::testing::task_named;

asio::awaitable<int> answer() { co_return 42; }
asio::awaitable<void> nothing() { co_return; }

std::uint64_t spawned_so_far() { return asio_console::instrumentation::registry::instance().counters().spawned; }

TEST(CoSpawn, ExecutorAwaitableWithValueDeliversResultToHandler) {
  asio::io_context ctx;
  int result = 0;
  asio_console::co_spawn(ctx.get_executor(), answer(), [&](std::exception_ptr e, int value) {
    EXPECT_FALSE(e);
    result = value;
  }, {.name = "executor-awaitable-value"});
  ctx.run();
  EXPECT_EQ(result, 42);
  const auto task = task_named(snapshot(), "executor-awaitable-value");
  ASSERT_TRUE(task) << "the task should be recorded under its name";
  EXPECT_EQ(task->state, task_state::completed);
  EXPECT_EQ(task->outcome, task_outcome::completed);
}

TEST(CoSpawn, EveryOverloadRecordsExactlyOneTask) {
  asio::io_context ctx;
  const std::uint64_t before = spawned_so_far();
  asio_console::co_spawn(ctx, nothing(), asio::detached);                                   // context, awaitable
  asio_console::co_spawn(ctx, answer(), asio::detached, {.name = "a"});                    // context, awaitable<T>, options
  asio_console::co_spawn(ctx.get_executor(), nothing(), asio::detached);                   // executor, awaitable
  asio_console::co_spawn(ctx, [] { return nothing(); }, asio::detached);                   // context, function
  asio_console::co_spawn(ctx.get_executor(), [] { return answer(); }, asio::detached);     // executor, function
  asio_console::co_spawn(ctx.get_executor(), [] { return answer(); }, asio::detached, {.name = "f"});
  ctx.run();
  EXPECT_EQ(spawned_so_far() - before, 6u);
}

TEST(CoSpawn, DefaultCompletionTokenOfTheExecutorIsUsed) {
  // Like boost::asio::co_spawn, an executor with a default completion token needs no token.
  using default_executor = asio::use_awaitable_t<>::executor_with_default<asio::any_io_executor>;
  asio::io_context ctx;
  int result = 0;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    result = co_await asio_console::co_spawn(default_executor(co_await asio::this_coro::executor), answer());
  }, asio::detached);
  ctx.run();
  EXPECT_EQ(result, 42);
}

TEST(CoSpawn, UseAwaitableReturnsTheChildsValueAndRecordsTheParent) {
  asio::io_context ctx;
  std::uint64_t parent_id = 0;
  int result = 0;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    parent_id = asio_console::testing::current_task_id();
    result = co_await asio_console::co_spawn(co_await asio::this_coro::executor, answer(), asio::use_awaitable,
                                             {.name = "awaited-child"});
  }, asio::detached);
  ctx.run();
  EXPECT_EQ(result, 42);
  const auto child = task_named(snapshot(), "awaited-child");
  ASSERT_TRUE(child);
  EXPECT_NE(parent_id, 0u);
  EXPECT_EQ(child->parent_id, parent_id);
}

TEST(CoSpawn, UseFutureDeliversTheValue) {
  asio::io_context ctx;
  std::future<int> value = asio_console::co_spawn(ctx, answer(), asio::use_future, {.name = "future"});
  ctx.run();
  EXPECT_EQ(value.get(), 42);
}

TEST(CoSpawn, DeferredSpawnRunsWhenLaunched) {
  asio::io_context ctx;
  auto operation = asio_console::co_spawn(ctx, answer(), asio::deferred, {.name = "deferred-launched"});
  EXPECT_EQ(task_named(snapshot(), "deferred-launched")->polls, 0u);
  int result = 0;
  std::move(operation)([&](std::exception_ptr, int value) { result = value; });
  ctx.run();
  EXPECT_EQ(result, 42);
  const auto task = task_named(snapshot(), "deferred-launched");
  EXPECT_EQ(task->outcome, task_outcome::completed);
  EXPECT_EQ(task->polls, asio_console::testing::posts_completion_after_body ? 2u : 1u)
      << "its body and, on the Asio versions that post it, its completion (the body never suspends)";
}

TEST(CoSpawn, DeferredSpawnNeverLaunchedEndsAsDropped) {
  asio::io_context ctx;
  {
    auto operation = asio_console::co_spawn(ctx, answer(), asio::deferred, {.name = "deferred-dropped"});
    const auto task = task_named(snapshot(), "deferred-dropped");
    ASSERT_TRUE(task);
    EXPECT_EQ(task->state, task_state::idle) << "a task that was never launched is not scheduled";
  }
  const auto task = task_named(snapshot(), "deferred-dropped");
  EXPECT_EQ(task->state, task_state::completed);
  EXPECT_EQ(task->outcome, task_outcome::dropped);
  EXPECT_EQ(task->polls, 0u);
}

TEST(CoSpawn, NameAndFieldsAreRecorded) {
  asio::io_context ctx;
  const std::string peer = "127.0.0.1:4242";
  asio_console::co_spawn(ctx, nothing(), asio::detached,
                         {.name = "labelled", .fields = {{"peer", peer}, {"kind", "test"}}});
  ctx.run();
  const auto task = task_named(snapshot(), "labelled");
  ASSERT_TRUE(task);
  ASSERT_EQ(task->fields.size(), 2u);
  EXPECT_EQ(task->fields[0], (std::pair<std::string, std::string>{"peer", "127.0.0.1:4242"}));
  EXPECT_EQ(task->fields[1], (std::pair<std::string, std::string>{"kind", "test"}));
}

const asio_console::instrumentation::site_snapshot& site_of(const asio_console::testing::registry_snapshot& snap,
                                                           std::uint32_t site_id) {
  return snap.sites.at(site_id - 1);
}

TEST(CoSpawn, SpawnLocationIsTheCaller) {
  asio::io_context ctx;
  const std::uint32_t line = __LINE__ + 1;
  asio_console::co_spawn(ctx, nothing(), asio::detached, {.name = "located"});
  const auto snap = snapshot();
  const auto& site = site_of(snap, task_named(snap, "located")->site_id);
  EXPECT_EQ(site.line, line);
  EXPECT_TRUE(site.file.ends_with("co_spawn_test.cpp")) << site.file;
  EXPECT_NE(site.function.find("SpawnLocationIsTheCaller"), std::string::npos) << site.function;
}

// A user's own spawn wrapper passes its caller's location through.
void spawn_in_background(asio::io_context& ctx, asio::awaitable<void> body,
                         std::source_location location = std::source_location::current()) {
  asio_console::co_spawn(ctx, std::move(body), asio::detached, {.name = "wrapped", .location = location});
}

TEST(CoSpawn, ExplicitLocationAttributesTasksToTheWrappersCaller) {
  asio::io_context ctx;
  const std::uint32_t line = __LINE__ + 1;
  spawn_in_background(ctx, nothing());
  const auto snap = snapshot();
  EXPECT_EQ(site_of(snap, task_named(snap, "wrapped")->site_id).line, line);
}

TEST(CoSpawn, UsingDeclarationWinsOverArgumentDependentLookup) {
  using asio_console::co_spawn;
  asio::io_context ctx;
  const std::uint64_t before = spawned_so_far();
  co_spawn(ctx, nothing(), asio::detached);  // Asio's own co_spawn is also found by ADL
  ctx.run();
  EXPECT_EQ(spawned_so_far() - before, 1u);
}

TEST(CoSpawn, NestedSpawnsRecordTheirParents) {
  asio::io_context ctx;
  asio_console::co_spawn(ctx, []() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    asio_console::co_spawn(executor, []() -> asio::awaitable<void> {
      asio_console::co_spawn(co_await asio::this_coro::executor, nothing(), asio::detached, {.name = "grandchild"});
    }, asio::detached, {.name = "child"});
  }, asio::detached, {.name = "root"});
  ctx.run();
  const auto snap = snapshot();
  const auto root = task_named(snap, "root");
  const auto child = task_named(snap, "child");
  const auto grandchild = task_named(snap, "grandchild");
  ASSERT_TRUE(root && child && grandchild);
  EXPECT_EQ(root->parent_id, 0u) << "spawned outside any task";
  EXPECT_EQ(child->parent_id, root->id);
  EXPECT_EQ(grandchild->parent_id, child->id);
}

TEST(CoSpawn, PlainBoostSpawnOnATaskExecutorStaysPartOfThatTask) {
  asio::io_context ctx;
  const std::uint64_t before = spawned_so_far();
  std::uint64_t outer_id = 0, inner_id = 0;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    outer_id = asio_console::testing::current_task_id();
    co_await asio::co_spawn(co_await asio::this_coro::executor, [&]() -> asio::awaitable<void> {
      inner_id = asio_console::testing::current_task_id();
      co_return;
    }, asio::use_awaitable);
  }, asio::detached);
  ctx.run();
  EXPECT_EQ(spawned_so_far() - before, 1u);
  EXPECT_NE(outer_id, 0u);
  EXPECT_EQ(inner_id, outer_id);
}

TEST(CoSpawn, AwaitableOperatorChildrenBelongToTheAwaitingTask) {
  using namespace asio::experimental::awaitable_operators;
  asio::io_context ctx;
  const std::uint64_t before = spawned_so_far();
  asio_console::co_spawn(ctx, []() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer short_timer(executor, 1ms), long_timer(executor, 1h);
    co_await (short_timer.async_wait(asio::use_awaitable) && asio::post(executor, asio::use_awaitable));
    co_await (short_timer.async_wait(asio::use_awaitable) || long_timer.async_wait(asio::use_awaitable));
  }, asio::detached, {.name = "operators"});
  ctx.run();
  EXPECT_EQ(spawned_so_far() - before, 1u) << "operator children are not tasks of their own";
  const auto task = task_named(snapshot(), "operators");
  EXPECT_EQ(task->outcome, task_outcome::completed);
  EXPECT_GE(task->polls, 3u) << "the children's resumptions are polls of the awaiting task";
}

}  // namespace
