// Coroutines on a concrete executor type (no any_io_executor), recorded through the one alias a
// program changes: `awaitable<T, asio_console::task_executor<E>>` for an io_context executor, a
// strand of one, a thread_pool executor, and as_default_on executors built on them. Each reports
// states, polls, wakes, parents, pending work and await stacks as any_io_executor tasks do; a spawn
// that cannot carry a task executor is counted and reported.
#include <gtest/gtest.h>

#include <asio_console/asio_console.hpp>

#include "support/asio.hpp"
#include "support/snapshot_queries.hpp"

namespace {
namespace asio = asio_console::testing::asio;
using namespace std::chrono_literals;
using asio_console::instrumentation::registry;
using asio_console::instrumentation::task_outcome;
using asio_console::instrumentation::task_state;
using asio_console::testing::children_of;
using asio_console::testing::snapshot;
using asio_console::testing::task_named;

// Where the tasks run: an execution context and the executor a program would alias.
struct on_io_context {
  using inner = asio::io_context::executor_type;
  asio::io_context context{1};
  inner executor() { return context.get_executor(); }
  void run_until(const std::function<bool()>& done) {
    for (int i = 0; i < 500 && !done(); ++i) {
      context.restart();
      context.run_one_for(10ms);
    }
  }
  void finish() {
    context.restart();
    context.run();
  }
};
struct on_strand : on_io_context {
  using inner = asio::strand<asio::io_context::executor_type>;
  inner strand = asio::make_strand(context.get_executor());
  inner executor() { return strand; }
};
struct on_thread_pool {
  using inner = asio::thread_pool::executor_type;
  asio::thread_pool context{2};
  inner executor() { return context.get_executor(); }
  void run_until(const std::function<bool()>& done) {
    for (int i = 0; i < 500 && !done(); ++i) std::this_thread::sleep_for(10ms);
  }
  void finish() { context.join(); }
};

template <typename Place>
class ConcreteExecutor : public ::testing::Test {
 protected:
  using executor_type = asio_console::task_executor<typename Place::inner>;
  template <typename T = void>
  using awaitable = asio::awaitable<T, executor_type>;
  Place place;
};
using places = ::testing::Types<on_io_context, on_strand, on_thread_pool>;
TYPED_TEST_SUITE(ConcreteExecutor, places);

TYPED_TEST(ConcreteExecutor, TasksAreRecordedWithStatesPollsWakesAndPendingWork) {
  using executor_type = typename TestFixture::executor_type;
  using timer_type = asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>,
                                                executor_type>;
  const std::string name = std::string("concrete-") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::atomic<bool> release{false};
  asio_console::co_spawn(this->place.executor(), [&]() -> typename TestFixture::template awaitable<> {
    timer_type timer(co_await asio::this_coro::executor);  // built from the task's own executor
    timer.expires_after(1ms);
    co_await timer.async_wait(asio::use_awaitable_t<executor_type>());
    while (!release) {
      timer.expires_after(5ms);
      co_await timer.async_wait(asio::use_awaitable_t<executor_type>());
    }
  }, asio::detached, {.name = name});
  this->place.run_until([&] {
    const auto task = task_named(snapshot(), name);
    return task && task->polls >= 3 && task->state == task_state::idle;
  });
  const auto task = task_named(snapshot(), name);
  ASSERT_TRUE(task.has_value()) << "the task was not recorded";
  EXPECT_EQ(task->state, task_state::idle);
  EXPECT_GE(task->polls, 3u);
  EXPECT_EQ(task->wakes, task->polls - 1) << "every poll after the first answers a wake";
  EXPECT_GE(task->pending_work, 1u) << "its timer wait holds work";
  EXPECT_NE(task->await_stack, 0u) << "where it waits is recorded";
  release = true;
  this->place.finish();
  const auto done = task_named(snapshot(), name);
  EXPECT_EQ(done->state, task_state::completed);
  EXPECT_EQ(done->outcome, task_outcome::completed);
}

TYPED_TEST(ConcreteExecutor, ChildrenRecordTheirParentAndDefaultTokensWork) {
  using executor_type = typename TestFixture::executor_type;
  using default_timer = typename asio::use_awaitable_t<executor_type>::template as_default_on_t<
      asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>, executor_type>>;
  const std::string parent = std::string("parent-") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  const std::string child = std::string("child-") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  asio_console::co_spawn(this->place.executor(), [&]() -> typename TestFixture::template awaitable<> {
    auto executor = co_await asio::this_coro::executor;
    co_await asio_console::co_spawn(executor, [&]() -> typename TestFixture::template awaitable<int> {
      default_timer timer(co_await asio::this_coro::executor, 1ms);  // an as_default_on executor
      co_await timer.async_wait();
      co_return 7;
    }, asio::use_awaitable_t<executor_type>(), {.name = child});
  }, asio::detached, {.name = parent});
  this->place.finish();
  const auto snap = snapshot();
  const auto p = task_named(snap, parent);
  const auto c = task_named(snap, child);
  ASSERT_TRUE(p && c);
  EXPECT_EQ(c->parent_id, p->id);
  EXPECT_EQ(c->outcome, task_outcome::completed);
  EXPECT_GE(c->polls, 2u) << "the timer's wake resumed it through its task executor";
}

TEST(ConcreteExecutorTypes, EveryCoSpawnFormTakesTheAlias) {
  using executor_type = asio_console::task_executor<asio::io_context::executor_type>;
  asio::io_context ctx;
  int answers = 0;
  const auto body = [&]() -> asio::awaitable<int, executor_type> { co_return 1; };
  const auto count = [&](std::exception_ptr, int value) { answers += value; };
  asio_console::co_spawn(ctx, body(), count, {.name = "context-awaitable"});
  asio_console::co_spawn(ctx, body, count, {.name = "context-function"});
  asio_console::co_spawn(ctx.get_executor(), body(), count, {.name = "executor-awaitable"});
  asio_console::co_spawn(ctx.get_executor(), body, count, {.name = "executor-function"});
  asio_console::co_spawn(executor_type(ctx.get_executor()), body(), count, {.name = "wrapped-executor"});
  ctx.run();
  EXPECT_EQ(answers, 5);
  for (const char* name : {"context-awaitable", "context-function", "executor-awaitable", "executor-function",
                           "wrapped-executor"}) {
    const auto task = task_named(snapshot(), name);
    ASSERT_TRUE(task.has_value()) << name << " was not recorded";
    EXPECT_EQ(task->outcome, task_outcome::completed) << name;
    EXPECT_GE(task->polls, 1u) << name;
  }
}

// Whether `any` keeps its target inside itself (no shared allocation behind it).
template <typename Target>
bool stored_inline(const asio::any_io_executor& any) {
  const auto* target = reinterpret_cast<const char*>(any.target<Target>());
  const auto* object = reinterpret_cast<const char*>(&any);
  return target != nullptr && target >= object && target < object + sizeof(any);
}

// A task on `executor` (behind any_io_executor, as most programs have it) checks that its own
// executor, a copy, and what an operation derives from it (the work-tracking executor of the
// handler it will resume) are all stored inline by any_io_executor.
template <typename Executor>
void expect_task_executors_inline(Executor executor, const std::function<void(const std::atomic<bool>&)>& run) {
  using wrapped = asio_console::task_executor<Executor>;
  using tracked_inner = std::decay_t<decltype(asio::prefer(executor, asio::execution::outstanding_work.tracked))>;
  std::atomic<bool> checked{false};
  asio_console::co_spawn(asio::any_io_executor(executor), [&]() -> asio::awaitable<void> {
    const asio::any_io_executor own = co_await asio::this_coro::executor;
    EXPECT_TRUE(stored_inline<wrapped>(own));
    const asio::any_io_executor copy = own;  // NOLINT: the copy is the point
    EXPECT_TRUE(stored_inline<wrapped>(copy));
    const asio::any_io_executor tracked = asio::prefer(own, asio::execution::outstanding_work.tracked);
    EXPECT_TRUE(stored_inline<asio_console::task_executor<tracked_inner>>(tracked));
    EXPECT_NE(own.target<wrapped>()->task(), asio_console::instrumentation::task_handle{});
    checked = true;
  }, asio::detached);
  run(checked);
  EXPECT_TRUE(checked);
}

TEST(ConcreteExecutorTypes, AnyIoExecutorStoresEveryTaskExecutorInlineSoCopiesNeverAllocate) {
  // The sizes task_executor.hpp asserts: within any_io_executor's 24 bytes.
  EXPECT_EQ(sizeof(asio_console::task_executor<asio::io_context::executor_type>), 24u);
  EXPECT_EQ(sizeof(asio_console::task_executor<asio::thread_pool::executor_type>), 24u);
  EXPECT_EQ(sizeof(asio_console::task_executor<asio::strand<asio::io_context::executor_type>>), 16u);
  EXPECT_EQ(sizeof(asio_console::task_executor<asio::strand<asio::thread_pool::executor_type>>), 24u);

  asio::io_context ctx;
  const auto run_context = [&](const std::atomic<bool>&) {
    ctx.restart();
    ctx.run();
  };
  expect_task_executors_inline(ctx.get_executor(), run_context);
  expect_task_executors_inline(asio::make_strand(ctx.get_executor()), run_context);
  asio::thread_pool pool(1);
  const auto wait_for_pool = [](const std::atomic<bool>& checked) {
    for (int i = 0; i < 1000 && !checked; ++i) std::this_thread::sleep_for(2ms);
  };
  expect_task_executors_inline(pool.get_executor(), wait_for_pool);
  expect_task_executors_inline(asio::make_strand(pool.get_executor()), wait_for_pool);
  pool.join();
}

asio::awaitable<void, asio::io_context::executor_type> concrete_without_alias() { co_return; }

TEST(ConcreteExecutorTypes, ASpawnThatCannotCarryATaskExecutorIsCountedAndSaidOnce) {
  const std::uint64_t before = registry::instance().counters().unrecorded;
  asio::io_context ctx;
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 3; ++i) asio_console::co_spawn(ctx, concrete_without_alias(), asio::detached);
  const std::string said = ::testing::internal::GetCapturedStderr();
  ctx.run();
  EXPECT_EQ(registry::instance().counters().unrecorded, before + 3);
  EXPECT_NE(said.find("are not recorded"), std::string::npos) << said;
  EXPECT_NE(said.find("concrete_executors_test.cpp"), std::string::npos) << "it names the site: " << said;
  EXPECT_NE(said.find("asio_console::task_executor"), std::string::npos) << "it names the fix: " << said;
  EXPECT_EQ(said.find("are not recorded"), said.rfind("are not recorded")) << "once per site: " << said;
}

}  // namespace
