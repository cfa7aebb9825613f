// What the recorder reports for a task as it runs: state, polls, wakes, times, outcome, for every
// kind of resumption a coroutine has (timers, sockets, post, channels) and every way it ends.
#include <gtest/gtest.h>

#include <asio_console/asio_console.hpp>
#include <atomic>
#include <stdexcept>
#include <thread>

#include "support/asio.hpp"
#include "support/run_until.hpp"
#include "support/snapshot_queries.hpp"

namespace {
namespace asio = asio_console::testing::asio;
using namespace std::chrono_literals;
using asio::ip::tcp;
using asio_console::instrumentation::task_outcome;
using asio_console::instrumentation::task_state;
using asio_console::testing::run_until;
using asio_console::testing::snapshot;
using asio_console::testing::task_named;

asio_console::testing::task_snapshot named(std::string_view name) {
  const auto task = task_named(snapshot(), name);
  if (!task) throw std::runtime_error("no task named " + std::string(name));
  return *task;
}

TEST(TaskStates, SpawnedTaskIsScheduledUntilItsFirstPoll) {
  asio::io_context ctx;
  asio_console::co_spawn(ctx, []() -> asio::awaitable<void> { co_return; }, asio::detached, {.name = "first-poll"});
  EXPECT_EQ(named("first-poll").state, task_state::scheduled);
  EXPECT_EQ(named("first-poll").polls, 0u);
  ctx.run();
  EXPECT_EQ(named("first-poll").state, task_state::completed);
  // The first poll answers the spawn, not a wake. A coroutine that never suspends completes through
  // a second poll where Asio posts its completion (a self-wake; see posts_completion_after_body).
  const std::uint64_t completion_wakes = asio_console::testing::posts_completion_after_body ? 1 : 0;
  EXPECT_EQ(named("first-poll").polls, 1 + completion_wakes);
  EXPECT_EQ(named("first-poll").wakes, completion_wakes);
  EXPECT_EQ(named("first-poll").self_wakes, completion_wakes);
}

TEST(TaskStates, TaskThatSuspendsCompletesInItsLastPoll) {
  asio::io_context ctx;
  asio_console::co_spawn(
      ctx,
      []() -> asio::awaitable<void> { co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable); },
      asio::detached, {.name = "suspends-once"});
  ctx.run();
  EXPECT_EQ(named("suspends-once").outcome, task_outcome::completed);
  EXPECT_EQ(named("suspends-once").polls, 2u) << "no extra poll once the coroutine has suspended";
  EXPECT_EQ(named("suspends-once").wakes, 1u);
}

TEST(TaskStates, TaskIsRunningWhileItsPollIsInProgress) {
  asio::io_context ctx;
  task_state seen_from_inside = task_state::idle;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    seen_from_inside = named("self-observer").state;
    co_return;
  }, asio::detached, {.name = "self-observer"});
  ctx.run();
  EXPECT_EQ(seen_from_inside, task_state::running);
}

TEST(TaskStates, TaskBecomesIdleWhileAwaitingTimer) {
  asio::io_context ctx;
  asio::steady_timer timer(ctx, asio::steady_timer::time_point::max());
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    co_await timer.async_wait(asio::use_awaitable);
  }, asio::detached, {.name = "idle-on-timer"});
  ctx.poll();
  const auto waiting = named("idle-on-timer");
  EXPECT_EQ(waiting.state, task_state::idle);
  EXPECT_EQ(waiting.polls, 1u);
  EXPECT_EQ(waiting.wakes, 0u);
  EXPECT_GT(waiting.last_poll_end_ns, 0);
  timer.cancel();
  ctx.poll();
  const auto cancelled = named("idle-on-timer");
  EXPECT_EQ(cancelled.state, task_state::completed);
  EXPECT_EQ(cancelled.outcome, task_outcome::cancelled) << "operation_aborted ends a task as cancelled";
  EXPECT_EQ(cancelled.polls, 2u);
  EXPECT_EQ(cancelled.wakes, 1u);
}

TEST(TaskStates, TimerWaitsCountAsWakesAndIdleTime) {
  asio::io_context ctx;
  asio_console::co_spawn(ctx, []() -> asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) {
      asio::steady_timer timer(co_await asio::this_coro::executor, 5ms);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }, asio::detached, {.name = "sleeper"});
  ctx.run();
  const auto task = named("sleeper");
  EXPECT_EQ(task.outcome, task_outcome::completed);
  EXPECT_EQ(task.polls, 4u);
  EXPECT_EQ(task.wakes, 3u);
  EXPECT_EQ(task.self_wakes, 0u) << "a timer wakes a task from outside";
  EXPECT_GE(task.total_ns, 15'000'000) << "three 5 ms waits";
  EXPECT_GE(task.idle_ns, 10'000'000) << "waiting on a timer is idle time";
  EXPECT_GT(task.busy_ns, 0);
  EXPECT_EQ(task.total_ns, task.busy_ns + task.scheduled_ns + task.idle_ns);
}

TEST(TaskStates, PostIsASelfWakeWithScheduledTime) {
  asio::io_context ctx;
  asio_console::co_spawn(ctx, []() -> asio::awaitable<void> {
    for (int i = 0; i < 5; ++i) co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  }, asio::detached, {.name = "yielder"});
  ctx.run();
  const auto task = named("yielder");
  EXPECT_EQ(task.polls, 6u) << "Asio runs a post completion through two executes; they are one poll";
  EXPECT_EQ(task.wakes, 5u);
  EXPECT_EQ(task.self_wakes, 5u);
  EXPECT_GT(task.scheduled_ns, 0) << "a queued wake waits in the run queue";
}

TEST(TaskStates, ATaskThatYieldedIsScheduledUntilItsNextPoll) {
  // Self-wakes are counted apart from the wakes that come from outside: together they still say
  // the task is scheduled between its yield and its next poll.
  asio::io_context ctx;
  asio_console::co_spawn(ctx, []() -> asio::awaitable<void> {
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  }, asio::detached, {.name = "yielded-once"});
  ctx.run_one();  // the first poll, which ends in the yield
  const auto yielded = named("yielded-once");
  EXPECT_EQ(yielded.state, task_state::scheduled);
  EXPECT_EQ(yielded.polls, 1u);
  EXPECT_EQ(yielded.wakes, 1u);
  EXPECT_EQ(yielded.self_wakes, 1u);
  ctx.run();
  EXPECT_EQ(named("yielded-once").state, task_state::completed);
}

TEST(TaskStates, ATaskThatFinishesInAPollFinishesWhenThatPollEnds) {
  // The finish time of a task that ends inside its own poll is that poll's end: its whole last
  // poll lies inside the task's life.
  asio::io_context ctx;
  asio_console::co_spawn(ctx, []() -> asio::awaitable<void> {
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    const auto until = std::chrono::steady_clock::now() + 20ms;
    while (std::chrono::steady_clock::now() < until) {
    }
  }, asio::detached, {.name = "long-last-poll"});
  ctx.run();
  const auto task = named("long-last-poll");
  ASSERT_EQ(task.state, task_state::completed);
  EXPECT_GE(task.busy_ns, 20'000'000);
  EXPECT_GE(task.total_ns, task.busy_ns + task.scheduled_ns);
  EXPECT_EQ(task.total_ns, task.busy_ns + task.scheduled_ns + task.idle_ns);
}

// Functions posted to a task's executor run as polls of the task, so on two threads two of its
// polls can run at once. The first of them is the task's sole poll and counts with plain stores;
// the one that overlaps it counts atomically elsewhere: none of either is lost.
TEST(TaskStates, PollsThatOverlapOnTwoThreadsAreAllCounted) {
  constexpr int functions = 8;
  constexpr auto poll_length = 2ms;
  asio::io_context ctx(2);
  std::atomic<int> running{0};
  std::atomic<int> most_running{0};
  std::atomic<int> done{0};
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    for (int i = 0; i < functions; ++i) {
      asio::post(executor, [&, executor] {  // from the task's own poll: a self-wake
        const int now_running = running.fetch_add(1) + 1;
        int most = most_running.load();
        while (now_running > most && !most_running.compare_exchange_weak(most, now_running)) {
        }
        // Held until another poll of the task runs beside it (bounded: the second thread is free).
        const auto deadline = std::chrono::steady_clock::now() + 2s;
        while (most_running.load() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(100us);
        std::this_thread::sleep_for(poll_length);
        running.fetch_sub(1);
        asio::post(executor, [&] { done.fetch_add(1); });  // from inside a poll of the task: a self-wake
      });
    }
    asio::steady_timer timer(executor);
    while (done.load() < functions) {
      timer.expires_after(1ms);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }, asio::detached, {.name = "overlapping-polls"});
  std::thread second([&] { ctx.run(); });
  ctx.run();
  second.join();

  ASSERT_GE(most_running.load(), 2) << "two polls of the task ran at once";
  const auto task = named("overlapping-polls");
  EXPECT_EQ(task.outcome, task_outcome::completed);
  EXPECT_EQ(task.self_wakes, 2u * functions) << "one post per function from the task's poll, one from each function";
  EXPECT_GE(task.busy_ns, functions * std::chrono::nanoseconds(poll_length).count())
      << "every function's poll time, overlapping or not";
  EXPECT_GE(task.longest_poll_ns, std::chrono::nanoseconds(poll_length).count());
  EXPECT_GE(task.polls, 2u * functions + 1) << "every function, every inner post and the coroutine's first poll";
}

TEST(TaskStates, SocketReadOnLoopbackIdlesUntilDataArrives) {
  asio::io_context ctx;
  tcp::acceptor acceptor(ctx, {asio::ip::address_v4::loopback(), 0});
  std::string received;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    char data[5];
    co_await asio::async_read(socket, asio::buffer(data), asio::use_awaitable);
    received.assign(data, sizeof data);
  }, asio::detached, {.name = "reader"});
  ctx.poll();
  EXPECT_EQ(named("reader").state, task_state::idle) << "waiting to accept";

  tcp::socket client(ctx);
  client.connect(acceptor.local_endpoint());
  run_until(ctx, [] { return named("reader").polls == 2; });
  EXPECT_EQ(named("reader").state, task_state::idle) << "accepted, waiting for data";

  asio::write(client, asio::buffer("hello", 5));
  run_until(ctx, [] { return named("reader").state == task_state::completed; });
  const auto task = named("reader");
  EXPECT_EQ(received, "hello");
  EXPECT_EQ(task.outcome, task_outcome::completed);
  EXPECT_EQ(task.polls, 3u);
  EXPECT_EQ(task.wakes, 2u);
}

TEST(TaskStates, ChannelReceiverIsWokenByTheSender) {
  using channel = asio::experimental::channel<void(asio_console::testing::error_code, int)>;
  asio::io_context ctx;
  channel values(ctx, 0);
  int sum = 0;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) sum += co_await values.async_receive(asio::use_awaitable);
  }, asio::detached, {.name = "receiver"});
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    for (int i = 1; i <= 3; ++i) co_await values.async_send(asio_console::testing::error_code{}, i, asio::use_awaitable);
  }, asio::detached, {.name = "sender"});
  ctx.run();
  EXPECT_EQ(sum, 6);
  const auto receiver = named("receiver");
  EXPECT_EQ(receiver.outcome, task_outcome::completed);
  EXPECT_GE(receiver.wakes, 3u) << "each value arrives through a wake";
  EXPECT_EQ(receiver.self_wakes, 0u) << "the sender wakes it, not itself";
  EXPECT_EQ(receiver.polls, receiver.wakes + 1);
  EXPECT_EQ(named("sender").outcome, task_outcome::completed);
}

TEST(TaskStates, ExceptionEndsTheTaskAsFailedAndReachesTheHandler) {
  asio::io_context ctx;
  std::exception_ptr caught;
  asio_console::co_spawn(ctx, []() -> asio::awaitable<void> {
    throw std::runtime_error("boom");
    co_return;
  }, [&](std::exception_ptr e) { caught = e; }, {.name = "thrower"});
  ctx.run();
  ASSERT_TRUE(caught);
  EXPECT_THROW(std::rethrow_exception(caught), std::runtime_error);
  EXPECT_EQ(named("thrower").outcome, task_outcome::failed);
}

TEST(TaskStates, CancellationThroughTheSlotEndsTheTaskAsCancelled) {
  asio::io_context ctx;
  asio::cancellation_signal cancel;
  asio_console::co_spawn(ctx, []() -> asio::awaitable<void> {
    asio::steady_timer timer(co_await asio::this_coro::executor, 1h);
    co_await timer.async_wait(asio::use_awaitable);
  }, asio::bind_cancellation_slot(cancel.slot(), asio::detached), {.name = "cancellable"});
  ctx.poll();
  EXPECT_EQ(named("cancellable").state, task_state::idle);
  cancel.emit(asio::cancellation_type::terminal);
  ctx.run();
  EXPECT_EQ(named("cancellable").outcome, task_outcome::cancelled);
}

TEST(TaskStates, DestroyingTheIoContextDropsSuspendedTasks) {
  {
    asio::io_context ctx;
    asio_console::co_spawn(ctx, []() -> asio::awaitable<void> {
      asio::steady_timer timer(co_await asio::this_coro::executor, 1h);
      co_await timer.async_wait(asio::use_awaitable);
    }, asio::detached, {.name = "suspended-forever"});
    asio_console::co_spawn(ctx, []() -> asio::awaitable<void> { co_return; }, asio::detached,
                           {.name = "never-polled"});
    ctx.run_one();  // polls the first task only
    EXPECT_EQ(named("suspended-forever").state, task_state::idle);
    EXPECT_EQ(named("never-polled").state, task_state::scheduled);
  }
  const auto suspended = named("suspended-forever");
  EXPECT_EQ(suspended.state, task_state::completed);
  EXPECT_EQ(suspended.outcome, task_outcome::dropped);
  const auto never_polled = named("never-polled");
  EXPECT_EQ(never_polled.outcome, task_outcome::dropped);
  EXPECT_EQ(never_polled.polls, 0u);
}

TEST(TaskStates, ExecutorCopiesThatOutliveTheTaskAreNotChargedToIt) {
  asio::io_context ctx;
  asio::any_io_executor leftover;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    leftover = co_await asio::this_coro::executor;
    co_return;
  }, asio::detached, {.name = "short-lived"});
  ctx.run();
  const auto before = named("short-lived");
  bool ran = false;
  asio::post(leftover, [&] { ran = true; });
  ctx.restart();
  ctx.run();
  EXPECT_TRUE(ran) << "the stale executor still executes";
  const auto after = named("short-lived");
  EXPECT_EQ(after.polls, before.polls);
  EXPECT_EQ(after.wakes, before.wakes);
}

}  // namespace
