// echo_server: the smallest instrumented server. The console shows the listener and one task per
// connection, spawned by the listener (its Parent), idle while its client is quiet, completed when
// the client leaves.
//
//   echo_server [PORT]      then: nc 127.0.0.1 PORT, and asio-console in another terminal
#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <cstdio>
#include <cstdlib>

namespace asio = boost::asio;
using asio::ip::tcp;

asio::awaitable<void> echo(tcp::socket socket) {
  char data[1024];
  for (;;) {
    auto [error, n] = co_await socket.async_read_some(asio::buffer(data), asio::as_tuple(asio::use_awaitable));
    if (error) co_return;  // the client left
    co_await asio::async_write(socket, asio::buffer(data, n), asio::use_awaitable);
  }
}

asio::awaitable<void> listen(tcp::acceptor acceptor) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    const std::string peer = socket.remote_endpoint().address().to_string();
    asio_console::co_spawn(acceptor.get_executor(), echo(std::move(socket)), asio::detached,
                           {.name = "echo", .fields = {{"peer", peer}}});
  }
}

int main(int argc, char** argv) {
  const auto port = static_cast<unsigned short>(argc > 1 ? std::atoi(argv[1]) : 5555);
  asio_console::server console = asio_console::serve();
  asio::io_context ctx;
  tcp::acceptor acceptor(ctx, {asio::ip::address_v4::loopback(), port});
  std::printf("echo_server: 127.0.0.1:%u, console on %s\n", port, console.address().c_str());
  std::fflush(stdout);
  asio_console::co_spawn(ctx, listen(std::move(acceptor)), asio::detached, {.name = "listener"});
  ctx.run();
}
