// parked_tasks <count>: spawns `count` tasks that wait on a channel nobody sends on, prints
// "parked <count>" and runs until killed. benchmarks/whole_process.sh reads its RSS from /proc.
//
// Built twice: parked_tasks_plain (ASIO_CONSOLE_DISABLE: plain boost::asio::co_spawn) and
// parked_tasks_recorded, which also runs asio_console::serve() (at ASIO_CONSOLE_BIND) so that a
// console can attach.
#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <cstdio>
#include <cstdlib>

namespace asio = boost::asio;
using channel = asio::experimental::channel<void(boost::system::error_code)>;

asio::awaitable<void> parked(channel& never) { co_await never.async_receive(asio::use_awaitable); }

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: parked_tasks <count>\n");
    return 2;
  }
  const long count = std::atol(argv[1]);
#if !defined(ASIO_CONSOLE_DISABLE)
  asio_console::server console = asio_console::serve();
#endif
  asio::io_context ctx(1);
  channel never(ctx);
  for (long i = 0; i < count; ++i) asio_console::co_spawn(ctx, parked(never), asio::detached);
  ctx.poll();
  std::printf("parked %ld\n", count);
  std::fflush(stdout);
  auto guard = asio::make_work_guard(ctx);
  ctx.restart();
  ctx.run();
}
