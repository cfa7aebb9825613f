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
BENCHMARK_CAPTURE(parked_task_memory, plain, mode::plain)->Iterations(1);
BENCHMARK_CAPTURE(parked_task_memory, recorded, mode::recorded)->Iterations(1);
BENCHMARK(stack_capture);

}  // namespace

BENCHMARK_MAIN();
