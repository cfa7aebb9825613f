// churn [--rate=N] [--report_heap]: spawns N short-lived tasks a second (default 1000) for as long as
// it runs, with asio_console::serve() at ASIO_CONSOLE_BIND, and prints "churning" once started.
// benchmarks/whole_process.sh samples its RSS with a console attached: it must stay flat.
// --report_heap prints "heap BYTES" every 100 ms: what malloc has handed out and not taken back
// (mallinfo2), which, unlike the resident set, does not move with what malloc keeps of freed memory.
//
// Each task is named, carries a field and waits on a timer for 0 to 2 s (a tenth of them then fail),
// so the recorder keeps recycling records and labels, and the console keeps receiving new tasks.
#include <asio_console/asio_console.hpp>
#include <malloc.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

asio::awaitable<void> short_lived(std::chrono::milliseconds lifetime, bool fails) {
  asio::steady_timer timer(co_await asio::this_coro::executor, lifetime);
  co_await timer.async_wait(asio::use_awaitable);
  if (fails) throw std::runtime_error("failed on purpose");
}

asio::awaitable<void> spawner(int per_second) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer tick(executor);
  const int per_tick = per_second / 100;
  auto next = std::chrono::steady_clock::now();
  for (unsigned long n = 0;;) {
    for (int i = 0; i < per_tick; ++i, ++n) {
      const auto lifetime = std::chrono::milliseconds(n * 7919 % 2000);
      const std::string request = std::to_string(n);
      asio_console::co_spawn(executor, short_lived(lifetime, n % 10 == 0), asio::detached,
                             {.name = "request", .fields = {{"n", request}}});
    }
    next += 10ms;
    tick.expires_at(next);
    co_await tick.async_wait(asio::use_awaitable);
  }
}

// Prints the heap in use every 100 ms until stopped.
void report_heap(std::stop_token stop) {
  while (!stop.stop_requested()) {
    const struct mallinfo2 heap = mallinfo2();
    std::printf("heap %zu\n", heap.uordblks + heap.hblkhd);
    std::fflush(stdout);
    std::this_thread::sleep_for(100ms);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int per_second = 1000;
  bool reports_heap = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--rate=", 7) == 0) {
      per_second = std::atoi(argv[i] + 7);
    } else if (std::strcmp(argv[i], "--report_heap") == 0) {
      reports_heap = true;
    } else {
      std::fprintf(stderr, "usage: churn [--rate=N] [--report_heap]\n");
      return 2;
    }
  }
  asio_console::server console = asio_console::serve();
  asio::io_context ctx(1);
  asio_console::co_spawn(ctx, spawner(per_second), asio::detached, {.name = "spawner"});
  std::printf("churning %d/s\n", per_second);
  std::fflush(stdout);
  std::jthread heap_reporter;
  if (reports_heap) heap_reporter = std::jthread(report_heap);
  ctx.run();
}
