// parked_tasks <count> [batch]: spawns `count` tasks that wait on a channel nobody sends on, prints
// "parked <count>" and runs until killed. benchmarks/whole_process.sh reads its RSS from /proc.
// With `batch`, the tasks are spawned that many at a time, each batch parked before the next, as a
// server accumulates them; without, all are spawned before any runs, and what each spawn queued to
// start its task (freed once it starts) is a million allocations that malloc keeps afterwards.
//
// Built twice: parked_tasks_plain (ASIO_CONSOLE_DISABLE: plain boost::asio::co_spawn) and
// parked_tasks_recorded, which also runs asio_console::serve() (at ASIO_CONSOLE_BIND) so that a
// console can attach.
#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace asio = boost::asio;
using channel = asio::experimental::channel<void(boost::system::error_code)>;

asio::awaitable<void> parked(channel& never) { co_await never.async_receive(asio::use_awaitable); }

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: parked_tasks <count> [batch]\n");
    return 2;
  }
  const long count = std::atol(argv[1]);
  const long batch = argc == 3 ? std::max(1L, std::atol(argv[2])) : count;
#if !defined(ASIO_CONSOLE_DISABLE)
  asio_console::server console = asio_console::serve();
#endif
  asio::io_context ctx(1);
  channel never(ctx);
  for (long spawned = 0; spawned < count;) {
    for (const long end = std::min(count, spawned + batch); spawned < end; ++spawned) {
      asio_console::co_spawn(ctx, parked(never), asio::detached);
    }
    ctx.poll();
    ctx.restart();
  }
  std::printf("parked %ld\n", count);
  std::fflush(stdout);
  auto guard = asio::make_work_guard(ctx);
  ctx.restart();
  ctx.run();
}
