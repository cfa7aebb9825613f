// Loopback sockets for tests: a connected pair, and an endpoint written as the recorder writes it.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string>

namespace asio_console::testing {

/// A listening acceptor and a client connected to it, with the server's side accepted.
struct loopback_pair {
  boost::asio::ip::tcp::acceptor acceptor;
  boost::asio::ip::tcp::socket client;
  boost::asio::ip::tcp::socket server;
  explicit loopback_pair(boost::asio::io_context& ctx)
      : acceptor(ctx, {boost::asio::ip::address_v4::loopback(), 0}), client(ctx), server(ctx) {
    client.connect(acceptor.local_endpoint());
    server = acceptor.accept();
  }
};

/// "127.0.0.1:5000".
inline std::string endpoint_text(const boost::asio::ip::tcp::endpoint& endpoint) {
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

}  // namespace asio_console::testing
