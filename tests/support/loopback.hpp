// Loopback sockets for tests: a connected pair, and an endpoint written as the recorder writes it.
#pragma once

#include <string>

#include "support/asio.hpp"

namespace asio_console::testing {

/// A listening acceptor and a client connected to it, with the server's side accepted.
struct loopback_pair {
  asio::ip::tcp::acceptor acceptor;
  asio::ip::tcp::socket client;
  asio::ip::tcp::socket server;
  explicit loopback_pair(asio::io_context& ctx)
      : acceptor(ctx, {asio::ip::address_v4::loopback(), 0}), client(ctx), server(ctx) {
    client.connect(acceptor.local_endpoint());
    server = acceptor.accept();
  }
};

/// "127.0.0.1:5000".
inline std::string endpoint_text(const asio::ip::tcp::endpoint& endpoint) {
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

}  // namespace asio_console::testing
