// Recording and snapshots without the server library (asio_console::recorder links no gRPC).
#include <asio_console/co_spawn.hpp>
#include <asio_console/instrumentation/snapshot.hpp>
#include <boost/asio.hpp>
#include <cstdio>

int main() {
  boost::asio::io_context ctx;
  asio_console::co_spawn(ctx, []() -> boost::asio::awaitable<void> { co_return; }, boost::asio::detached,
                         {.name = "recorder-only"});
  ctx.run();
  for (const auto& task : asio_console::instrumentation::take_snapshot().tasks) {
    if (task.name == "recorder-only") {
      std::puts("consumer_recorder_only: recorded");
      return 0;
    }
  }
  std::puts("consumer_recorder_only: task not recorded");
  return 1;
}
