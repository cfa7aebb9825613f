// README's instrumentation code, built with ASIO_CONSOLE_DISABLE: compiles, runs, records nothing.
#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <cstdio>

int main() {
  auto console = asio_console::serve();
  if (!console.ok()) {
    std::puts("consumer_disabled: serve() failed");
    return 1;
  }
  boost::asio::io_context ctx;
  int answer = 0;
  asio_console::co_spawn(ctx, [&]() -> boost::asio::awaitable<void> { answer = 42; co_return; }, boost::asio::detached,
                         {.name = "session", .fields = {{"peer", "x"}}});
  ctx.run();
  if (answer != 42 || !asio_console::instrumentation::take_snapshot().tasks.empty()) {
    std::puts("consumer_disabled: unexpected");
    return 1;
  }
  std::puts("consumer_disabled: ran, recorded nothing");
  return 0;
}
