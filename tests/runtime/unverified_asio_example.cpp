// A program built as if its Asio were newer than every checked one: it spawns tasks from two
// translation units' worth of code, and the recorder says once that await stacks are off.
#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>

int main() {
  boost::asio::io_context ctx;
  for (int i = 0; i < 3; ++i) {
    asio_console::co_spawn(ctx, []() -> boost::asio::awaitable<void> { co_return; }, boost::asio::detached);
  }
  ctx.run();
  return asio_console::instrumentation::take_snapshot().tasks.size() >= 3 ? 0 : 1;
}
