// What recording costs, side by side with plain Boost.Asio in the same binary and run.
//
//   benchmarks/run.sh        builds, runs with interleaved repetitions, prints the table
//
// Every benchmark comes in a `plain` variant (boost::asio::co_spawn) and `recorded` variants
// (asio_console::co_spawn, with the stack sampling named). Items are spawns or resumes, so the
// time per item can be compared directly.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <thread>

namespace {
namespace asio = boost::asio;
namespace recorder = asio_console::instrumentation;

enum class mode { plain, recorded };

void use_sampling(recorder::stack_sampling sampling) {
  auto options = recorder::registry::instance().options();
  options.stacks = sampling;
  options.retention = absl::ZeroDuration();  // churn benchmarks must not accumulate finished tasks
  recorder::registry::instance().configure(options);
}

template <typename Awaitable>
void spawn(mode m, asio::io_context& ctx, Awaitable&& body) {
  if (m == mode::plain) {
    asio::co_spawn(ctx, std::forward<Awaitable>(body), asio::detached);
  } else {
    asio_console::co_spawn(ctx, std::forward<Awaitable>(body), asio::detached);
  }
}

asio::awaitable<void> trivial() { co_return; }

// co_spawn + run to completion of a coroutine that returns at once.
void spawn_complete(benchmark::State& state, mode m, recorder::stack_sampling sampling) {
  use_sampling(sampling);
  constexpr int batch = 256;
  asio::io_context ctx(1);
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) spawn(m, ctx, trivial());
    ctx.restart();
    ctx.run();
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

// One resume: `co_await post(executor)` (a queued self-wake and two executes in Asio).
void resume_post(benchmark::State& state, mode m) {
  use_sampling(recorder::stack_sampling::off());
  constexpr int resumes = 1000;
  asio::io_context ctx(1);
  for (auto _ : state) {
    spawn(m, ctx, []() -> asio::awaitable<void> {
      auto executor = co_await asio::this_coro::executor;
      for (int i = 0; i < resumes; ++i) co_await asio::post(executor, asio::use_awaitable);
    });
    ctx.restart();
    ctx.run();
  }
  state.SetItemsProcessed(state.iterations() * resumes);
}

// The same resume on other executors: a strand and a thread_pool behind any_io_executor (whose
// inline buffer holds the task_executor around either), and the concrete executor types of the
// README's alias, plain against task_executor-wrapped.
template <typename Executor>
asio::awaitable<void, Executor> post_loop(int resumes) {
  auto executor = co_await asio::this_coro::executor;
  for (int i = 0; i < resumes; ++i) co_await asio::post(executor, asio::use_awaitable_t<Executor>());
}

template <typename Make>
void resume_post_on(benchmark::State& state, mode m, Make make_executor) {
  use_sampling(recorder::stack_sampling::off());
  constexpr int resumes = 1000;
  asio::io_context ctx(1);
  for (auto _ : state) {
    auto executor = make_executor(ctx);
    if (m == mode::plain) {
      asio::co_spawn(executor, post_loop<asio::any_io_executor>(resumes), asio::detached);
    } else {
      asio_console::co_spawn(executor, post_loop<asio::any_io_executor>(resumes), asio::detached);
    }
    ctx.restart();
    ctx.run();
  }
  state.SetItemsProcessed(state.iterations() * resumes);
}

// A concrete executor type: plain `awaitable<void, E>` against `awaitable<void, task_executor<E>>`.
template <typename Executor, typename Context>
void resume_post_concrete(benchmark::State& state, mode m, Context& context, Executor executor) {
  use_sampling(recorder::stack_sampling::off());
  constexpr int resumes = 1000;
  using wrapped = asio_console::task_executor<Executor>;
  for (auto _ : state) {
    std::atomic<bool> done{false};
    const auto finished = [&](std::exception_ptr) { done = true; };
    if (m == mode::plain) {
      asio::co_spawn(executor, post_loop<Executor>(resumes), finished);
    } else {
      asio_console::co_spawn(executor, post_loop<wrapped>(resumes), finished);
    }
    if constexpr (std::is_same_v<Context, asio::io_context>) {
      context.restart();
      context.run();
    } else {
      while (!done) std::this_thread::yield();
    }
  }
  state.SetItemsProcessed(state.iterations() * resumes);
}

void resume_post_strand(benchmark::State& state, mode m) {
  resume_post_on(state, m, [](asio::io_context& ctx) { return asio::make_strand(ctx); });
}

void resume_post_thread_pool(benchmark::State& state, mode m) {
  use_sampling(recorder::stack_sampling::off());
  constexpr int resumes = 1000;
  asio::thread_pool pool(1);
  for (auto _ : state) {
    std::atomic<bool> done{false};
    const auto finished = [&](std::exception_ptr) { done = true; };
    if (m == mode::plain) {
      asio::co_spawn(pool.get_executor(), post_loop<asio::any_io_executor>(resumes), finished);
    } else {
      asio_console::co_spawn(pool.get_executor(), post_loop<asio::any_io_executor>(resumes), finished);
    }
    while (!done) std::this_thread::yield();
  }
  state.SetItemsProcessed(state.iterations() * resumes);
  pool.join();
}

void resume_post_concrete_io_context(benchmark::State& state, mode m) {
  asio::io_context ctx(1);
  resume_post_concrete(state, m, ctx, ctx.get_executor());
}

void resume_post_concrete_strand(benchmark::State& state, mode m) {
  asio::io_context ctx(1);
  resume_post_concrete(state, m, ctx, asio::make_strand(ctx.get_executor()));
}

void resume_post_concrete_thread_pool(benchmark::State& state, mode m) {
  asio::thread_pool pool(1);
  resume_post_concrete(state, m, pool, pool.get_executor());
  pool.join();
}

// Heap bytes a parked task holds (waiting on a channel that never sends), plain vs recorded.
void parked_task_memory(benchmark::State& state, mode m) {
  use_sampling(recorder::stack_sampling{});
  constexpr int tasks = 100'000;
  using channel = asio::experimental::channel<void(boost::system::error_code)>;
  double bytes_per_task = 0;
  for (auto _ : state) {
    asio::io_context ctx(1);
    channel never(ctx);
    recorder::registry::instance().reclaim();
    malloc_trim(0);
    const std::size_t before = mallinfo2().uordblks;
    for (int i = 0; i < tasks; ++i) {
      spawn(m, ctx, [&]() -> asio::awaitable<void> { co_await never.async_receive(asio::use_awaitable); });
    }
    ctx.poll();
    bytes_per_task = static_cast<double>(mallinfo2().uordblks - before) / tasks;
  }
  state.counters["bytes_per_task"] = bytes_per_task;
}

void stack_capture(benchmark::State& state) {
  void* frames[48];
  for (auto _ : state) benchmark::DoNotOptimize(recorder::capture_stack(frames, 0));
}

using recorder::stack_sampling;
BENCHMARK_CAPTURE(spawn_complete, plain, mode::plain, stack_sampling::off());
BENCHMARK_CAPTURE(spawn_complete, recorded_default_sampling, mode::recorded, stack_sampling{});
BENCHMARK_CAPTURE(spawn_complete, recorded_no_stacks, mode::recorded, stack_sampling::off());
BENCHMARK_CAPTURE(spawn_complete, recorded_all_stacks, mode::recorded, stack_sampling::all());
BENCHMARK_CAPTURE(resume_post, plain, mode::plain);
BENCHMARK_CAPTURE(resume_post, recorded, mode::recorded);
BENCHMARK_CAPTURE(resume_post_strand, plain, mode::plain);
BENCHMARK_CAPTURE(resume_post_strand, recorded, mode::recorded);
BENCHMARK_CAPTURE(resume_post_thread_pool, plain, mode::plain);
BENCHMARK_CAPTURE(resume_post_thread_pool, recorded, mode::recorded);
BENCHMARK_CAPTURE(resume_post_concrete_io_context, plain, mode::plain);
BENCHMARK_CAPTURE(resume_post_concrete_io_context, recorded, mode::recorded);
BENCHMARK_CAPTURE(resume_post_concrete_strand, plain, mode::plain);
BENCHMARK_CAPTURE(resume_post_concrete_strand, recorded, mode::recorded);
BENCHMARK_CAPTURE(resume_post_concrete_thread_pool, plain, mode::plain);
BENCHMARK_CAPTURE(resume_post_concrete_thread_pool, recorded, mode::recorded);
BENCHMARK_CAPTURE(parked_task_memory, plain, mode::plain)->Iterations(1);
BENCHMARK_CAPTURE(parked_task_memory, recorded, mode::recorded)->Iterations(1);
BENCHMARK(stack_capture);

}  // namespace

BENCHMARK_MAIN();
