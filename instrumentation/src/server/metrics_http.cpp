#include "metrics_http.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"

namespace asio_console::server_internal {
namespace {

using clock = std::chrono::steady_clock;

// While out of file descriptors, the listener rests this long before accepting again (it would
// otherwise wake the thread at once, over and over).
constexpr auto accept_pause = std::chrono::milliseconds(100);

std::string http_answer(absl::string_view status, absl::string_view content_type, absl::string_view body, bool head) {
  return absl::StrCat("HTTP/1.1 ", status, "\r\nContent-Type: ", content_type, "\r\nContent-Length: ", body.size(),
                      "\r\nConnection: close\r\n\r\n", head ? absl::string_view() : body);
}

std::string plain_answer(absl::string_view status, absl::string_view text) {
  return http_answer(status, "text/plain; charset=utf-8", absl::StrCat(text, "\n"), false);
}

// The socket listening on `address`, or why there is none.
absl::StatusOr<int> listen_on(const bind_address& address) {
  absl::StatusOr<listening_addresses> found = resolve_for_listening(address);
  if (!found.ok()) return found.status();
  int error = EADDRNOTAVAIL;
  int listener = -1;
  for (const addrinfo* a = found->get(); a != nullptr && listener < 0; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = errno;
      continue;
    }
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);  // not SO_REUSEPORT: the port is ours alone
    if (a->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 128) == 0) {
      listener = fd;
    } else {
      error = errno;
      ::close(fd);
    }
  }
  if (listener < 0) {
    return absl::UnavailableError(error == EADDRINUSE ? std::string("the address is in use")
                                                      : absl::StrCat("cannot listen there: ", std::strerror(error)));
  }
  return listener;
}

int port_of(int listener) {
  sockaddr_storage bound{};
  socklen_t size = sizeof bound;
  if (::getsockname(listener, reinterpret_cast<sockaddr*>(&bound), &size) != 0) return 0;
  if (bound.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(bound).sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in&>(bound).sin_port);
}

}  // namespace

absl::StatusOr<std::unique_ptr<metrics_http_server>> metrics_http_server::start(const bind_address& address,
                                                                                std::function<std::string()> render,
                                                                                metrics_http_limits limits) {
  absl::StatusOr<int> listener = listen_on(address);
  if (!listener.ok()) return listener.status();
  std::unique_ptr<metrics_http_server> server(
      new metrics_http_server(*listener, port_of(*listener), std::move(render), limits));
  if (server->epoll_ < 0 || server->wake_ < 0) return absl::UnavailableError(std::strerror(errno));
  server->thread_ = std::thread([s = server.get()] { s->run(); });
  return server;
}

metrics_http_server::metrics_http_server(int listener, int port, std::function<std::string()> render,
                                         metrics_http_limits limits)
    : listener_(listener),
      port_(port),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      render_(std::move(render)),
      limits_(limits) {
  if (epoll_ < 0 || wake_ < 0) return;
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = listener_;
  ::epoll_ctl(epoll_, EPOLL_CTL_ADD, listener_, &event);
  event.data.fd = wake_;
  ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &event);
}

metrics_http_server::~metrics_http_server() {
  if (thread_.joinable()) {
    const std::uint64_t one = 1;
    (void)!::write(wake_, &one, sizeof one);
    thread_.join();
  }
  for (const auto& [fd, c] : connections_) ::close(fd);
  for (int fd : {listener_, epoll_, wake_}) {
    if (fd >= 0) ::close(fd);
  }
}

void metrics_http_server::run() {
  std::vector<epoll_event> events(64);
  for (;;) {
    const int ready = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), wait_ms(clock::now()));
    if (ready < 0 && errno != EINTR) return;
    const clock::time_point now = clock::now();
    for (int i = 0; i < ready; ++i) {
      const int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == wake_) return;
      if (fd == listener_) {
        accept_all(now);
      } else {
        on_ready(fd, events[static_cast<std::size_t>(i)].events, now);
      }
    }
    close_expired(now);
  }
}

int metrics_http_server::wait_ms(clock::time_point now) const {
  clock::time_point next = now + std::chrono::seconds(1);
  for (const auto& [fd, c] : connections_) next = std::min(next, c.deadline);
  if (accept_paused_until_ > now) next = std::min(next, accept_paused_until_);
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
  return static_cast<int>(std::max<std::int64_t>(wait, 0));
}

void metrics_http_server::accept_all(clock::time_point now) {
  for (;;) {
    if (connections_.size() >= limits_.max_connections) {
      // Room for the newcomer: the connection that has waited longest for its deadline goes.
      const auto oldest = std::min_element(connections_.begin(), connections_.end(), [](const auto& a, const auto& b) {
        return a.second.deadline < b.second.deadline;
      });
      close_connection(oldest->first);
    }
    const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        ::epoll_ctl(epoll_, EPOLL_CTL_DEL, listener_, nullptr);  // back after accept_pause
        accept_paused_until_ = now + accept_pause;
      }
      return;  // EAGAIN: all accepted; anything else concerns that one client only
    }
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.fd = fd;
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event) != 0) {
      ::close(fd);
      continue;
    }
    connections_[fd].deadline = now + limits_.request_timeout;
  }
}

void metrics_http_server::on_ready(int fd, std::uint32_t events, clock::time_point now) {
  const auto found = connections_.find(fd);
  if (found == connections_.end()) return;
  connection& c = found->second;
  if ((events & (EPOLLERR | EPOLLHUP)) && c.now != phase::request) return close_connection(fd);
  switch (c.now) {
    case phase::request: return read_request(fd, c, now);
    case phase::answer: return write_answer(fd, c, now);
    case phase::drain: return drain(fd);
  }
}

void metrics_http_server::read_request(int fd, connection& c, clock::time_point now) {
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
    if (got == 0) return close_connection(fd);  // gone before asking
    if (got < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      return close_connection(fd);
    }
    c.request.append(buffer, static_cast<std::size_t>(got));
    if (c.request.find("\r\n\r\n") != std::string::npos || c.request.find("\n\n") != std::string::npos) {
      return answer(fd, c, now);
    }
    if (c.request.size() > limits_.max_request_bytes) {
      c.request = "";  // answered below as too large
      return answer(fd, c, now);
    }
  }
}

void metrics_http_server::answer(int fd, connection& c, clock::time_point now) {
  // "GET /metrics HTTP/1.1": the method, the target without its query.
  const std::string_view line(c.request.data(), std::min(c.request.size(), c.request.find_first_of("\r\n")));
  const std::size_t method_end = line.find(' ');
  const std::string_view method = line.substr(0, method_end);
  std::string_view target = method_end == std::string_view::npos ? std::string_view() : line.substr(method_end + 1);
  target = target.substr(0, target.find(' '));
  target = target.substr(0, target.find('?'));
  const bool head = method == "HEAD";
  if (c.request.empty()) {
    c.answer = plain_answer("431 Request Header Fields Too Large",
                            absl::StrCat("the request head is over ", limits_.max_request_bytes, " bytes"));
  } else if (method != "GET" && !head) {
    c.answer = plain_answer("405 Method Not Allowed", "only GET /metrics is served here");
  } else if (target != "/metrics") {
    c.answer = plain_answer("404 Not Found", "the metrics are at /metrics");
  } else {
    try {
      c.answer = http_answer("200 OK", "text/plain; version=0.0.4; charset=utf-8", render_(), head);
    } catch (const std::exception& e) {
      c.answer = plain_answer("500 Internal Server Error", e.what());
    }
  }
  c.request = std::string();
  c.now = phase::answer;
  c.deadline = now + limits_.response_timeout;
  epoll_event event{};
  event.events = EPOLLOUT;
  event.data.fd = fd;
  ::epoll_ctl(epoll_, EPOLL_CTL_MOD, fd, &event);
  write_answer(fd, c, now);
}

void metrics_http_server::write_answer(int fd, connection& c, clock::time_point now) {
  while (!c.answer.empty()) {
    const ssize_t sent = ::send(fd, c.answer.data(), c.answer.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;  // the rest when the client reads
      if (errno == EINTR) continue;
      return close_connection(fd);
    }
    c.answer.erase(0, static_cast<std::size_t>(sent));
  }
  ::shutdown(fd, SHUT_WR);  // the client sees the end of the answer, and closes
  c.now = phase::drain;
  c.deadline = now + limits_.drain_timeout;
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP;
  event.data.fd = fd;
  ::epoll_ctl(epoll_, EPOLL_CTL_MOD, fd, &event);
  drain(fd);
}

void metrics_http_server::drain(int fd) {
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
    if (got > 0) continue;
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // more, or the end, later
    return close_connection(fd);  // the client closed (or failed): done
  }
}

void metrics_http_server::close_connection(int fd) {
  ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  connections_.erase(fd);
}

void metrics_http_server::close_expired(clock::time_point now) {
  std::vector<int> expired;
  for (const auto& [fd, c] : connections_) {
    if (c.deadline <= now) expired.push_back(fd);
  }
  for (int fd : expired) close_connection(fd);
  if (accept_paused_until_ != clock::time_point{} && accept_paused_until_ <= now) {
    accept_paused_until_ = {};
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = listener_;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, listener_, &event);
  }
}

}  // namespace asio_console::server_internal
