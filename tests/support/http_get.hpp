// One HTTP GET to a loopback server, for scraping metrics and asking Prometheus's API.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace asio_console::testing {

struct http_reply {
  int status = 0;
  std::string body;
};

/// GETs `target` from `host_port` ("127.0.0.1:9464", "[::1]:9464"); nullopt when no reply comes within `timeout`
/// (refused, or too slow).
inline std::optional<http_reply> http_get(const std::string& host_port, const std::string& target,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace http = beast::http;
  const auto colon = host_port.rfind(':');
  asio::io_context ctx;
  beast::tcp_stream stream(ctx);
  beast::flat_buffer buffer;
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, host_port);
  request.set(http::field::connection, "close");
  http::response<http::string_body> response;
  std::optional<http_reply> reply;
  std::string host = host_port.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);  // "[::1]"
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(host),
                                         static_cast<unsigned short>(std::stoi(host_port.substr(colon + 1))));
  stream.expires_after(timeout);
  stream.async_connect(endpoint, [&](beast::error_code error) {
    if (error) return;
    http::async_write(stream, request, [&](beast::error_code error, std::size_t) {
      if (error) return;
      http::async_read(stream, buffer, response, [&](beast::error_code error, std::size_t) {
        if (!error) reply = http_reply{static_cast<int>(response.result_int()), response.body()};
      });
    });
  });
  ctx.run();
  return reply;
}

/// Percent-encodes a query parameter's value.
inline std::string url_encoded(const std::string& text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace asio_console::testing
