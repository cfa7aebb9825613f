// Spawns a task through the installed package and checks that it was recorded.
#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <cstdio>

int main() {
  boost::asio::io_context ctx;
  asio_console::co_spawn(ctx, []() -> boost::asio::awaitable<void> { co_return; }, boost::asio::detached,
                         {.name = "from-consumer"});
  ctx.run();
  for (const auto& task : asio_console::instrumentation::take_snapshot().tasks) {
    if (task.name == "from-consumer" && task.state == asio_console::instrumentation::task_state::completed) {
      std::puts("consumer: recorded");
      return 0;
    }
  }
  std::puts("consumer: task not recorded");
  return 1;
}
