// A program whose translation units disagree on deep mode: this one is deep, plain_unit.cpp is not.
// Its first spawn prints the line that says so (checked by CTest: DeepMode.*).
#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>

int plain_unit();

int main() {
  boost::asio::io_context ctx;
  asio_console::co_spawn(ctx, []() -> boost::asio::awaitable<void> { co_return; }, boost::asio::detached);
  ctx.run();
  return plain_unit();
}
