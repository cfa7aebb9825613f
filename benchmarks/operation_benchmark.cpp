// What one Asio operation costs a task: built twice, as operation_benchmark (plain Asio) and as
// operation_benchmark_deep (asio_console::deep: the operation is listed while pending), each with
// a plain and a recorded variant. Items are operations: a `co_await` on a channel's async_receive
// with a value waiting (the operation is created, completes at once, is run and destroyed; no
// system call, so what deep mode adds is not lost in one).
#include <benchmark/benchmark.h>

#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <boost/asio/experimental/channel.hpp>

namespace {
namespace asio = boost::asio;

enum class mode { plain, recorded };

void channel_receive(benchmark::State& state, mode m) {
  constexpr int waits = 1000;
  asio::io_context ctx(1);
  const auto body = [&]() -> asio::awaitable<void> {
    asio::experimental::channel<void(boost::system::error_code)> channel(co_await asio::this_coro::executor, 1);
    for (int i = 0; i < waits; ++i) {
      channel.try_send(boost::system::error_code{});
      co_await channel.async_receive(asio::use_awaitable);
    }
  };
  for (auto _ : state) {
    if (m == mode::plain) {
      asio::co_spawn(ctx, body, asio::detached);
    } else {
      asio_console::co_spawn(ctx, body, asio::detached);
    }
    ctx.restart();
    ctx.run();
  }
  state.SetItemsProcessed(state.iterations() * waits);
}

}  // namespace

BENCHMARK_CAPTURE(channel_receive, plain, mode::plain);
BENCHMARK_CAPTURE(channel_receive, recorded, mode::recorded);
BENCHMARK_MAIN();
