// A program built as if its Asio were newer than every checked one: it spawns a few tasks, and the
// recorder says once that await stacks are off.
#include <asio_console/asio_console.hpp>

#include "support/asio.hpp"

int main() {
  namespace asio = asio_console::testing::asio;  // in a block: standalone Asio's asio is global
  asio::io_context ctx;
  for (int i = 0; i < 3; ++i) {
    asio_console::co_spawn(ctx, []() -> asio::awaitable<void> { co_return; }, asio::detached);
  }
  ctx.run();
  return asio_console::instrumentation::take_snapshot().tasks.size() >= 3 ? 0 : 1;
}
