// The metrics endpoint against clients that hold connections: idle ones, slowloris ones that send
// their request a byte at a time, oversized and wrong requests. Scrapes keep being answered.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio_console/asio_console.hpp>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/http_get.hpp"

namespace {
using namespace std::chrono_literals;
using asio_console::testing::http_get;

asio_console::server serve_metrics(const std::string& metrics_bind = "127.0.0.1:0") {
  asio_console::serve_options options;
  options.bind = "127.0.0.1:0";
  options.metrics_bind = metrics_bind;
  return asio_console::serve(options);
}

int port_of(const std::string& address) { return std::stoi(address.substr(address.rfind(':') + 1)); }

// A TCP connection to 127.0.0.1:port, or -1.
int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// What the server sends on `fd` until it closes it (or `timeout`), and whether it closed it.
std::pair<std::string, bool> read_until_closed(int fd, std::chrono::milliseconds timeout) {
  timeval wait{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  std::string got;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n == 0) return {got, true};
    if (n < 0) return {got, false};
    got.append(buffer, static_cast<std::size_t>(n));
  }
}

TEST(MetricsEndpoint, AScrapeAnswersWithinTwoSecondsWhile500IdleAnd50SlowlorisConnectionsAreOpen) {
  asio_console::server server = serve_metrics();
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = port_of(server.metrics_address());
  std::vector<int> idle;
  for (int i = 0; i < 500; ++i) {
    const int fd = connect_to(port);
    ASSERT_GE(fd, 0) << "connection " << i;
    idle.push_back(fd);
  }
  std::vector<int> slow;
  for (int i = 0; i < 50; ++i) {
    const int fd = connect_to(port);
    ASSERT_GE(fd, 0);
    (void)!::send(fd, "GET /metrics HTTP/1.1\r\nX-Slow: ", 31, MSG_NOSIGNAL);
    slow.push_back(fd);
  }
  std::atomic<bool> done{false};
  std::thread trickle([&] {  // a byte per slowloris connection every 100 ms, for as long as the test
    for (int round = 0; round < 200 && !done; ++round) {
      for (int fd : slow) (void)!::send(fd, "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      std::this_thread::sleep_for(100ms);
    }
  });
  for (int scrape = 0; scrape < 5; ++scrape) {
    const auto started = std::chrono::steady_clock::now();
    const auto reply = http_get(server.metrics_address(), "/metrics", 2s);
    ASSERT_TRUE(reply.has_value()) << "scrape " << scrape << " got no answer within 2 s";
    EXPECT_EQ(reply->status, 200);
    EXPECT_NE(reply->body.find("asio_console_tasks_spawned_total"), std::string::npos);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    std::this_thread::sleep_for(300ms);
  }
  done = true;
  trickle.join();
  for (int fd : idle) ::close(fd);
  for (int fd : slow) ::close(fd);
}

TEST(MetricsEndpoint, ARequestNeverFinishedIsClosedAtItsDeadline) {
  asio_console::server server = serve_metrics();
  ASSERT_TRUE(server.ok()) << server.status();
  const int fd = connect_to(port_of(server.metrics_address()));
  ASSERT_GE(fd, 0);
  (void)!::send(fd, "GET /metr", 9, MSG_NOSIGNAL);
  const auto started = std::chrono::steady_clock::now();
  const auto [got, closed] = read_until_closed(fd, 15s);
  EXPECT_TRUE(closed) << "still open after 15 s";
  EXPECT_TRUE(got.empty()) << got;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 8s) << "the request deadline is 5 s";
  ::close(fd);
}

TEST(MetricsEndpoint, WrongRequestsGetTheirAnswerAndAClosedConnection) {
  asio_console::server server = serve_metrics();
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = port_of(server.metrics_address());
  const auto ask = [&](const std::string& request) {
    const int fd = connect_to(port);
    (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    const auto [got, closed] = read_until_closed(fd, 10s);
    ::close(fd);
    EXPECT_TRUE(closed) << request.substr(0, 40);
    return got.substr(0, got.find("\r\n"));
  };
  EXPECT_EQ(ask("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(ask("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n"), "HTTP/1.1 405 Method Not Allowed");
  EXPECT_EQ(ask("GET /metrics HTTP/1.1\r\nX-Big: " + std::string(16 * 1024, 'a')),
            "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(ask("GET /metrics?name[]=x HTTP/1.0\r\n\r\n"), "HTTP/1.1 200 OK");
  const std::string head = [&] {
    const int fd = connect_to(port);
    (void)!::send(fd, "HEAD /metrics HTTP/1.1\r\n\r\n", 26, MSG_NOSIGNAL);
    auto [got, closed] = read_until_closed(fd, 10s);
    ::close(fd);
    return got;
  }();
  EXPECT_EQ(head.substr(head.find("\r\n\r\n") + 4), "") << "HEAD has no body";
}

TEST(MetricsEndpoint, ServesOnTheIpv6Loopback) {
  const int probe = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in6 loopback{};
  loopback.sin6_family = AF_INET6;
  loopback.sin6_addr = in6addr_loopback;
  const bool has_ipv6 = probe >= 0 && ::bind(probe, reinterpret_cast<const sockaddr*>(&loopback), sizeof loopback) == 0;
  if (probe >= 0) ::close(probe);
  if (!has_ipv6) GTEST_SKIP() << "this machine has no IPv6 loopback";
  asio_console::server server = serve_metrics("[::1]:0");
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(server.metrics_address().starts_with("[::1]:")) << server.metrics_address();
  const auto reply = http_get(server.metrics_address(), "/metrics", 5s);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 200);
}

}  // namespace
