// Pending work: the units of outstanding work Asio's pending operations take on the executor of
// the task they will resume, one per operation. An idle task with some is waiting on something
// Asio will complete; one with none can only be resumed by code that kept its handler (or never).
#include <gtest/gtest.h>

#include <asio_console/asio_console.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "support/asio.hpp"
#include "support/snapshot_queries.hpp"

namespace {
namespace asio = asio_console::testing::asio;
using namespace std::chrono_literals;
using asio_console::instrumentation::task_outcome;
using asio_console::instrumentation::task_state;

asio_console::testing::task_snapshot named(std::string_view name) {
  const auto task = asio_console::testing::task_named(asio_console::testing::snapshot(), name);
  if (!task) throw std::runtime_error("no task named " + std::string(name));
  return *task;
}

// An operation that keeps its handler and nothing else: no work on the handler's executor, the way
// a hand-written waiter list often does it. Only release() can resume the waiting task.
class handler_keeper {
 public:
  auto wait(auto&& token) {
    return asio::async_initiate<decltype(token), void()>(
        [this](auto handler) {
          auto shared = std::make_shared<decltype(handler)>(std::move(handler));
          kept_ = [shared] { asio::post(std::move(*shared)); };
        },
        token);
  }
  void release() {
    auto kept = std::move(kept_);
    kept_ = nullptr;
    if (kept) kept();
  }

 private:
  std::function<void()> kept_;
};

TEST(PendingWork, TaskIdleOnATimerHoldsPendingWork) {
  asio::io_context ctx;
  asio::steady_timer timer(ctx, asio::steady_timer::time_point::max());
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    co_await timer.async_wait(asio::use_awaitable);
  }, asio::detached, {.name = "pending-timer"});
  ctx.poll();
  const auto waiting = named("pending-timer");
  ASSERT_EQ(waiting.state, task_state::idle);
  EXPECT_EQ(waiting.pending_work, 1u) << "the timer's wait keeps work for the task it resumes";
  timer.cancel();
  ctx.poll();
  EXPECT_EQ(named("pending-timer").state, task_state::completed);
}

TEST(PendingWork, TaskIdleOnAChannelHoldsPendingWork) {
  using channel = asio::experimental::channel<void(asio_console::testing::error_code, int)>;
  asio::io_context ctx;
  channel values(ctx, 0);
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    co_await values.async_receive(asio::use_awaitable);
  }, asio::detached, {.name = "pending-channel"});
  ctx.poll();
  ASSERT_EQ(named("pending-channel").state, task_state::idle);
  EXPECT_EQ(named("pending-channel").pending_work, 1u);
  values.try_send(asio_console::testing::error_code{}, 1);
  ctx.poll();
  EXPECT_EQ(named("pending-channel").outcome, task_outcome::completed);
}

TEST(PendingWork, TaskWhoseHandlerIsKeptWithoutWorkHasNone) {
  asio::io_context ctx;
  handler_keeper keeper;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    // Work held by an earlier wait is given back when that wait completes.
    asio::steady_timer timer(co_await asio::this_coro::executor, 1ms);
    co_await timer.async_wait(asio::use_awaitable);
    co_await keeper.wait(asio::use_awaitable);
  }, asio::detached, {.name = "kept-handler"});
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (named("kept-handler").polls < 2 && std::chrono::steady_clock::now() < deadline) {
    ctx.restart();
    ctx.run_one_for(10ms);
  }
  ctx.poll();
  const auto kept = named("kept-handler");
  ASSERT_EQ(kept.state, task_state::idle);
  EXPECT_EQ(kept.polls, 2u);
  EXPECT_EQ(kept.pending_work, 0u) << "nothing inside Asio holds work for this task";
  keeper.release();
  ctx.restart();
  ctx.run();
  EXPECT_EQ(named("kept-handler").outcome, task_outcome::completed) << "the kept handler still resumes it";
}

TEST(PendingWork, CountsStayExactOverManyWaits) {
  asio::io_context ctx;
  handler_keeper keeper;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    for (int i = 0; i < 100; ++i) {
      asio::steady_timer timer(executor, 0ms);
      co_await timer.async_wait(asio::use_awaitable);
      co_await asio::post(executor, asio::use_awaitable);
    }
    co_await keeper.wait(asio::use_awaitable);
  }, asio::detached, {.name = "many-waits"});
  for (int i = 0; i < 10'000 && named("many-waits").polls < 201; ++i) {
    ctx.restart();
    ctx.run_one_for(10ms);
  }
  ctx.poll();
  ASSERT_EQ(named("many-waits").state, task_state::idle);
  EXPECT_EQ(named("many-waits").pending_work, 0u) << "every unit counted when taken was given back";
  keeper.release();
  ctx.restart();
  ctx.run();
}

TEST(PendingWork, EveryPendingOperationIsOneUnit) {
  asio::io_context ctx;
  asio::steady_timer background(ctx, asio::steady_timer::time_point::max());
  asio::steady_timer awaited(ctx, asio::steady_timer::time_point::max());
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    // A wait whose handler runs on the task's executor but that the task does not await.
    background.async_wait(asio::bind_executor(co_await asio::this_coro::executor, [](auto) {}));
    co_await awaited.async_wait(asio::use_awaitable);
  }, asio::detached, {.name = "two-waits"});
  ctx.poll();
  EXPECT_EQ(named("two-waits").pending_work, 2u);
  background.cancel();
  ctx.poll();
  EXPECT_EQ(named("two-waits").pending_work, 1u) << "the cancelled wait gave its unit back";
  awaited.cancel();
  ctx.poll();
  EXPECT_EQ(named("two-waits").outcome, task_outcome::cancelled);
}

TEST(PendingWork, CopiesOfAWorkTrackingExecutorAddNothing) {
  asio::io_context ctx;
  handler_keeper keeper;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    const asio::any_io_executor tracking =
        asio::prefer(co_await asio::this_coro::executor, asio::execution::outstanding_work.tracked);
    const std::vector<asio::any_io_executor> copies(10, tracking);
    co_await keeper.wait(asio::use_awaitable);
  }, asio::detached, {.name = "copies"});
  ctx.poll();
  ASSERT_EQ(named("copies").state, task_state::idle);
  EXPECT_EQ(named("copies").pending_work, 1u) << "one unit taken, however many copies share it";
  keeper.release();
  ctx.restart();
  ctx.run();
  EXPECT_EQ(named("copies").outcome, task_outcome::completed);
}

TEST(PendingWork, ATaskNotYetStartedHoldsNone) {
  // co_spawn's own work guards last the task's whole life: they are not work it waits for.
  asio::io_context ctx;
  asio_console::co_spawn(ctx, []() -> asio::awaitable<void> { co_return; }, asio::detached,
                         {.name = "not-started"});
  const auto queued = named("not-started");
  EXPECT_EQ(queued.state, task_state::scheduled);
  EXPECT_EQ(queued.pending_work, 0u);
  ctx.run();
  EXPECT_EQ(named("not-started").outcome, task_outcome::completed);
}

TEST(PendingWork, AChildStartedInsideItsParentsPollCountsOnlyItsOwnOperations) {
  // Spawned from a task on the io_context's own thread, the child's first poll runs inside its
  // launch (dispatch runs it at once): its timer's unit counts, co_spawn's guards do not.
  asio::io_context ctx;
  asio::steady_timer timer(ctx, asio::steady_timer::time_point::max());
  asio::strand<asio::io_context::executor_type> strand(ctx.get_executor());
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    asio_console::co_spawn(co_await asio::this_coro::executor, [&]() -> asio::awaitable<void> {
      co_await timer.async_wait(asio::use_awaitable);
    }, asio::detached, {.name = "inline-child"});
    asio_console::co_spawn(strand, [&]() -> asio::awaitable<void> {
      co_await timer.async_wait(asio::use_awaitable);
    }, asio::detached, {.name = "strand-child"});
    EXPECT_EQ(named("inline-child").state, task_state::idle) << "its first poll ran inside co_spawn";
    co_return;
  }, asio::detached, {.name = "parent"});
  ctx.poll();
  EXPECT_EQ(named("inline-child").pending_work, 1u);
  EXPECT_EQ(named("strand-child").state, task_state::idle);
  EXPECT_EQ(named("strand-child").pending_work, 1u);
  EXPECT_EQ(named("parent").pending_work, 0u);
  timer.cancel();
  ctx.restart();
  ctx.run();
  EXPECT_EQ(named("inline-child").outcome, task_outcome::cancelled);
  EXPECT_EQ(named("strand-child").outcome, task_outcome::cancelled);
}

}  // namespace
