// Await stacks: where each task's coroutines are suspended, innermost first, for every way a
// coroutine suspends, on one thread and on four. This file is compiled -O2 -g, like a shipped
// server, so the names are those a user sees.
#include <gtest/gtest.h>

#include <algorithm>
#include <asio_console/asio_console.hpp>
#include <atomic>
#include <thread>

#include "support/asio.hpp"
#include "support/run_until.hpp"
#include "support/snapshot_queries.hpp"

namespace {
namespace asio = asio_console::testing::asio;
namespace instrumentation = asio_console::instrumentation;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using asio_console::testing::run_until;
using asio_console::testing::snapshot;
using asio_console::testing::task_named;
using instrumentation::registry;
using instrumentation::task_state;

// "ns::f<T>(args) const" -> "ns::f<T>".
std::string without_arguments(std::string name) {
  int depth = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '<') ++depth;
    if (name[i] == '>' && depth > 0) --depth;
    if (name[i] == '(' && depth == 0) return name.substr(0, i);
  }
  return name;
}

// The functions of a task's await stack, innermost first, each without its argument list.
std::vector<std::string> await_functions(std::string_view task_name) {
  const auto task = task_named(snapshot(), task_name);
  if (!task) return {"<no task named " + std::string(task_name) + ">"};
  std::vector<std::string> names;
  for (const auto& frame : registry::instance().await_stacks().symbolize(task->await_stack)) {
    names.push_back(without_arguments(frame.function));
  }
  return names;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : " <- ") + name;
  return out;
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

namespace await_test {
asio::awaitable<void> inner(asio::steady_timer& timer) { co_await timer.async_wait(asio::use_awaitable); }
asio::awaitable<void> middle(asio::steady_timer& timer) { co_await inner(timer); }
asio::awaitable<void> outer(asio::steady_timer& first, asio::steady_timer& second) {
  co_await middle(first);
  co_await second.async_wait(asio::deferred);
}

// One coroutine per way of suspending; each waits on `timer` until the test ends it.
asio::awaitable<void> waits_use_awaitable(asio::steady_timer& timer) {
  co_await timer.async_wait(asio::use_awaitable);
}
asio::awaitable<void> waits_deferred(asio::steady_timer& timer) { co_await timer.async_wait(asio::deferred); }
asio::awaitable<void> waits_as_tuple(asio::steady_timer& timer) {
  auto [error] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  (void)error;
}
using default_token_timer = asio::use_awaitable_t<>::as_default_on_t<asio::steady_timer>;
asio::awaitable<void> waits_default_token(default_token_timer& timer) { co_await timer.async_wait(); }
asio::awaitable<void> waits_either(asio::steady_timer& a, asio::steady_timer& b) {
  co_await (a.async_wait(asio::use_awaitable) || b.async_wait(asio::use_awaitable));
}
asio::awaitable<void> waits_both(asio::steady_timer& a, asio::steady_timer& b) {
  co_await (a.async_wait(asio::use_awaitable) && b.async_wait(asio::use_awaitable));
}
asio::awaitable<void> waits_group(asio::steady_timer& a, asio::steady_timer& b) {
  auto executor = co_await asio::this_coro::executor;
  co_await asio::experimental::make_parallel_group(
      asio::co_spawn(executor, waits_use_awaitable(a), asio::deferred),
      asio::co_spawn(executor, waits_use_awaitable(b), asio::deferred))
      .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
}

// The shape of a leak three coroutines deep: the listener awaits the connection's handler, which
// awaits the context it builds, whose member's constructor spawns.
struct reporter {
  explicit reporter(asio::any_io_executor executor) {
    asio_console::co_spawn(executor, []() -> asio::awaitable<void> { co_return; }, asio::detached,
                           {.name = "deep-spawn"});
  }
};
struct request_context {
  reporter metrics;
};
asio::awaitable<int> build_context() {
  [[maybe_unused]] request_context context{reporter(co_await asio::this_coro::executor)};
  co_return 1;
}
asio::awaitable<int> handle_connection() { co_return co_await build_context() + 1; }
asio::awaitable<void> listener() { co_await handle_connection(); }

asio::awaitable<void> leaf(asio::steady_timer& timer, int round) {
  timer.expires_after(std::chrono::microseconds(round % 7 * 50));
  co_await timer.async_wait(asio::use_awaitable);
}
asio::awaitable<void> branch(asio::steady_timer& timer, int round) { co_await leaf(timer, round); }
// Runs beside its parent, on other threads, as part of the parent's task (a plain co_spawn on the
// task's executor): the two polls of one task overlap and both read where the task waits.
asio::awaitable<void> sibling(int rounds) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  for (int round = 0; round < rounds; ++round) {
    co_await branch(timer, round);
    co_await asio::post(executor, asio::use_awaitable);
  }
}
asio::awaitable<void> churn(int rounds) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  for (int round = 0; round < rounds; ++round) {
    co_await branch(timer, round);
    co_await asio::post(executor, asio::use_awaitable);
    if (round % 4 == 0) asio::co_spawn(executor, sibling(3), asio::detached);
  }
}
// Awaitable operators need a strand on a multi-threaded context (Asio's parallel_group races
// without one), so these tasks run on strands.
asio::awaitable<void> churn_with_operators(int rounds) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  asio::steady_timer other(executor);
  for (int round = 0; round < rounds; ++round) {
    co_await branch(timer, round);
    other.expires_after(1ms);
    timer.expires_after(std::chrono::microseconds(100));
    co_await (timer.async_wait(asio::use_awaitable) || other.async_wait(asio::use_awaitable));
  }
}
}  // namespace await_test

namespace {
using namespace await_test;

TEST(AwaitStacks, ChainOfThreeCoroutinesInnermostFirstThenWhereItSuspendsNext) {
  asio::io_context ctx;
  asio::steady_timer first(ctx, 50ms);  // fires while the test runs the context, not before
  asio::steady_timer second(ctx, asio::steady_timer::time_point::max());
  asio_console::co_spawn(ctx, outer(first, second), asio::detached, {.name = "three-deep"});
  run_until(ctx, [] { return task_named(snapshot(), "three-deep")->state == task_state::idle; });

  const std::vector<std::string> waiting = await_functions("three-deep");
  ASSERT_EQ(waiting.size(), 4u) << joined(waiting);
  EXPECT_TRUE(contains(waiting[0], "initiate_async_wait")) << "innermost: Asio's timer wait, got " << joined(waiting);
  EXPECT_EQ(waiting[1], "await_test::inner") << joined(waiting);
  EXPECT_EQ(waiting[2], "await_test::middle") << joined(waiting);
  EXPECT_EQ(waiting[3], "await_test::outer") << joined(waiting);

  run_until(ctx, [] { return await_functions("three-deep") == std::vector<std::string>{"await_test::outer"}; });
  EXPECT_EQ(task_named(snapshot(), "three-deep")->state, task_state::idle);

  second.expires_at(asio::steady_timer::time_point::min());  // ends the deferred wait (error ignored)
  run_until(ctx, [] { return task_named(snapshot(), "three-deep")->state == task_state::completed; });
  EXPECT_EQ(task_named(snapshot(), "three-deep")->await_stack, 0u) << "a completed task waits nowhere";
}

TEST(AwaitStacks, TaskNotYetPolledWaitsNowhere) {
  asio::io_context ctx;
  asio::steady_timer timer(ctx);
  asio_console::co_spawn(ctx, waits_use_awaitable(timer), asio::detached, {.name = "not-polled"});
  EXPECT_EQ(task_named(snapshot(), "not-polled")->await_stack, 0u);
}

TEST(AwaitStacks, EveryTokenAndOperatorShowsWhereTheTaskItselfIsSuspended) {
  asio::io_context ctx;
  asio::steady_timer a(ctx, asio::steady_timer::time_point::max());
  asio::steady_timer b(ctx, asio::steady_timer::time_point::max());
  default_token_timer c(ctx, asio::steady_timer::time_point::max());
  struct expectation {
    std::string task;
    std::vector<std::string> innermost;  // each frame contains this, innermost first
  };
  const std::string initiate_wait = "initiate_async_wait";
  const std::vector<expectation> expected = {
      {"use_awaitable", {initiate_wait, "await_test::waits_use_awaitable"}},
      {"deferred", {"await_test::waits_deferred"}},
      {"as_tuple", {initiate_wait, "await_test::waits_as_tuple"}},
      {"default_token", {initiate_wait, "await_test::waits_default_token"}},
      {"either", {"operator||", "await_test::waits_either"}},
      {"both", {"operator&&", "await_test::waits_both"}},
      {"group", {"parallel_group", "await_test::waits_group"}},
  };
  asio_console::co_spawn(ctx, waits_use_awaitable(a), asio::detached, {.name = "use_awaitable"});
  asio_console::co_spawn(ctx, waits_deferred(a), asio::detached, {.name = "deferred"});
  asio_console::co_spawn(ctx, waits_as_tuple(a), asio::detached, {.name = "as_tuple"});
  asio_console::co_spawn(ctx, waits_default_token(c), asio::detached, {.name = "default_token"});
  asio_console::co_spawn(ctx, waits_either(a, b), asio::detached, {.name = "either"});
  asio_console::co_spawn(ctx, waits_both(a, b), asio::detached, {.name = "both"});
  asio_console::co_spawn(ctx, waits_group(a, b), asio::detached, {.name = "group"});
  for (int i = 0; i < 100; ++i) ctx.poll();

  for (const expectation& e : expected) {
    const std::vector<std::string> waiting = await_functions(e.task);
    ASSERT_EQ(waiting.size(), e.innermost.size()) << e.task << ": " << joined(waiting);
    for (std::size_t i = 0; i < waiting.size(); ++i) {
      EXPECT_TRUE(contains(waiting[i], e.innermost[i]))
          << e.task << " frame " << i << " should name " << e.innermost[i] << ": " << joined(waiting);
    }
  }
  a.cancel();
  b.cancel();
  c.cancel();
  ctx.run();
  for (const expectation& e : expected) {
    EXPECT_EQ(task_named(snapshot(), e.task)->await_stack, 0u) << e.task << " has completed";
  }
}

TEST(AwaitStacks, SpawnStackContinuesThroughTheCoroutinesAwaitingTheSpawner) {
  auto options = registry::instance().options();
  const auto saved = options;
  options.stacks = instrumentation::stack_sampling::all();
  registry::instance().configure(options);
  asio::io_context ctx;
  asio_console::co_spawn(ctx, listener(), asio::detached, {.name = "listener"});
  ctx.run();
  registry::instance().configure(saved);

  const auto spawned = task_named(snapshot(), "deep-spawn");
  ASSERT_TRUE(spawned && spawned->stack != 0) << "the spawn was not sampled";
  std::vector<std::string> names;
  std::vector<bool> awaiting;
  for (const auto& frame : registry::instance().stacks().symbolize(spawned->stack)) {
    names.push_back(without_arguments(frame.function));
    awaiting.push_back(frame.awaiting);
  }
  const std::vector<std::string> in_order = {"await_test::reporter::reporter", "await_test::build_context",
                                             "await_test::handle_connection", "await_test::listener"};
  auto at = names.begin();
  for (const std::string& wanted : in_order) {
    at = std::find(at, names.end(), wanted);
    ASSERT_NE(at, names.end()) << "no " << wanted << " (in this order) in " << joined(names);
  }
  const auto position = [&](const std::string& name) { return std::find(names.begin(), names.end(), name) - names.begin(); };
  EXPECT_FALSE(awaiting[position("await_test::build_context")]) << "the spawning coroutine was running";
  EXPECT_TRUE(awaiting[position("await_test::handle_connection")]) << "its callers were suspended";
  EXPECT_TRUE(awaiting[position("await_test::listener")]);
  EXPECT_EQ(std::count(names.begin(), names.end(), "await_test::build_context"), 1) << joined(names);
}

// Four threads, thousands of tasks suspending in nested coroutines, on timers, posts and awaitable
// operators, some with a second coroutine of their own running beside them, while another thread
// keeps taking snapshots: every await stack read ends in the task's own coroutine, and nothing
// races (this runs under TSan and ASan in CI).
TEST(AwaitStacks, FourThreadsOfSuspendingTasksNeverRace) {
  constexpr int tasks = 2000;
  constexpr int rounds = 20;
  asio::io_context ctx(4);
  for (int i = 0; i < tasks; ++i) {
    if (i % 2 == 0) {
      asio_console::co_spawn(ctx, await_test::churn(rounds), asio::detached, {.name = "churn"});
    } else {
      asio_console::co_spawn(asio::make_strand(ctx), await_test::churn_with_operators(rounds), asio::detached,
                             {.name = "churn"});
    }
  }
  std::atomic<bool> done{false};
  std::atomic<int> stacks_seen{0};
  std::thread observer([&] {
    while (!done.load()) {
      for (const auto& task : snapshot().tasks) {
        if (task.name != "churn" || task.await_stack == 0) continue;
        const auto frames = registry::instance().await_stacks().symbolize(task.await_stack);
        const std::string outermost = frames.empty() ? "" : without_arguments(frames.back().function);
        EXPECT_TRUE(outermost == "await_test::churn" || outermost == "await_test::churn_with_operators")
            << "every stack ends in the task's own coroutine, not in " << outermost;
        stacks_seen.fetch_add(1);
      }
      std::this_thread::sleep_for(2ms);
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) threads.emplace_back([&] { ctx.run(); });
  ctx.run();
  for (std::thread& t : threads) t.join();
  done = true;
  observer.join();
  EXPECT_GT(stacks_seen.load(), 0) << "the observer saw tasks suspended";
  int completed = 0;
  for (const auto& task : snapshot().tasks) {
    if (task.name != "churn") continue;
    ++completed;
    EXPECT_EQ(task.state, task_state::completed);
    EXPECT_EQ(task.await_stack, 0u);
  }
  EXPECT_EQ(completed, tasks);
}

}  // namespace
