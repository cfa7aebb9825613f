// leaky_server: a small HTTP server with the task leak GreptimeDB hit, written the C++ way.
//
// Every request builds a `request_context`. One of its members, `metrics_reporter`, is
// default-constructed with it, and its constructor starts a background coroutine through the
// application's own generic `app::spawn` wrapper. Nobody cancels that coroutine, so each request
// leaves one idle task behind. The spawn *location* of those tasks is the wrapper, which every
// background job shares; the sampled spawn *stack* names the constructor and the request handler.
//
//   leaky_server                  serve on 127.0.0.1:8080, with 200 requests/s of built-in load
//   leaky_server --fixed          the reporter cancels its task when its owner dies: no leak
//   leaky_server --load=0         no built-in load (use wrk -c8 -d30s http://127.0.0.1:8080/)
//
// Attach a console with `asio-console` (the recorder serves on 127.0.0.1:6669, or
// ASIO_CONSOLE_BIND).
#include <asio_console/asio_console.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#if defined(ASIO_CONSOLE_STANDALONE_ASIO)  // the same program on standalone Asio
#include <asio.hpp>
using system_error = asio::system_error;
#else
#include <boost/asio.hpp>
namespace asio = boost::asio;
using system_error = boost::system::system_error;
#endif
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace app {

// The application's generic way to start background work: every job shares this location.
void spawn(asio::any_io_executor executor, asio::awaitable<void> job, std::string_view name) {
  asio_console::co_spawn(executor, std::move(job), asio::detached, {.name = name});
}

bool fixed = false;  // --fixed: reporters stop their task when they are destroyed

asio::awaitable<void> report_metrics_forever(std::shared_ptr<asio::steady_timer> timer) {
  for (;;) {
    timer->expires_after(10min);
    co_await timer->async_wait(asio::use_awaitable);  // a cancel ends the task (operation_aborted)
  }
}

// Reports a request's metrics in the background. The bug: nothing stops the task when the reporter
// goes away (the fix is the one line in the destructor).
class metrics_reporter {
 public:
  metrics_reporter() : timer_(std::make_shared<asio::steady_timer>(current_executor)) {
    spawn(current_executor, report_metrics_forever(timer_), "metrics-reporter");
  }
  ~metrics_reporter() {
    if (fixed) timer_->cancel();
  }
  metrics_reporter(const metrics_reporter&) = delete;
  metrics_reporter& operator=(const metrics_reporter&) = delete;

  static inline asio::any_io_executor current_executor;

 private:
  std::shared_ptr<asio::steady_timer> timer_;
};

struct request_context {
  std::string target;
  metrics_reporter reporter;  // default-constructed with every request: the leak
};

// One GET request's head (request line and headers) in, one response out.
std::string handle(std::string_view request) {
  const std::size_t target_begin = request.find(' ') + 1;
  request_context context{.target = std::string(request.substr(target_begin, request.find(' ', target_begin) - target_begin))};
  const std::string body = "hello from " + context.target + "\n";
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

asio::awaitable<void> session(tcp::socket socket) {
  std::string buffer;
  for (;;) {
    auto [error, head] = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\r\n\r\n",
                                                         asio::as_tuple(asio::use_awaitable));
    if (error) co_return;  // the client left
    const std::string response = handle(std::string_view(buffer).substr(0, head));
    const bool close = std::string_view(buffer).substr(0, head).find("Connection: close") != std::string_view::npos;
    buffer.erase(0, head);
    co_await asio::async_write(socket, asio::buffer(response), asio::use_awaitable);
    if (close) co_return;
  }
}

asio::awaitable<void> listen(tcp::acceptor acceptor) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    asio_console::co_spawn(acceptor.get_executor(), session(std::move(socket)), asio::detached, {.name = "session"});
  }
}

asio::awaitable<void> heartbeat() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(1s);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

// Built-in load: `rate` requests per second, each on a new connection (so the listener works too).
asio::awaitable<void> generate_load(tcp::endpoint server, int rate) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer pace(executor);
  for (auto next = std::chrono::steady_clock::now();; next += std::chrono::microseconds(1'000'000 / rate)) {
    pace.expires_at(next);
    co_await pace.async_wait(asio::use_awaitable);
    tcp::socket socket(executor);
    auto [connect_error] = co_await socket.async_connect(server, asio::as_tuple(asio::use_awaitable));
    if (connect_error) continue;
    const std::string_view request = "GET /item HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
    std::string response;  // up to the server's close
    co_await asio::async_read(socket, asio::dynamic_buffer(response), asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace app

int main(int argc, char** argv) {
  unsigned short port = 8080;
  int load = 200;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--fixed") {
      app::fixed = true;
    } else if (arg.starts_with("--load=")) {
      load = std::atoi(argv[i] + 7);
    } else if (arg.starts_with("--port=")) {
      port = static_cast<unsigned short>(std::atoi(argv[i] + 7));
    } else {
      std::fprintf(stderr, "usage: leaky_server [--fixed] [--load=REQUESTS_PER_SECOND] [--port=PORT]\n");
      return 2;
    }
  }
  asio_console::server console = asio_console::serve();  // 127.0.0.1:6669 unless ASIO_CONSOLE_BIND says otherwise

  asio::io_context ctx;
  app::metrics_reporter::current_executor = ctx.get_executor();
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
  tcp::acceptor acceptor(ctx);
  try {
    acceptor = tcp::acceptor(ctx, endpoint);
  } catch (const system_error& error) {
    std::fprintf(stderr, "leaky_server: cannot listen on %s:%u: %s\n", endpoint.address().to_string().c_str(), port,
                 error.code().message().c_str());
    return 1;
  }
  std::printf("leaky_server: http://127.0.0.1:%u/ (%s), console on %s\n", port, app::fixed ? "fixed" : "leaking",
              console.ok() ? console.address().c_str() : "nothing");
  std::fflush(stdout);
  asio_console::co_spawn(ctx, app::listen(std::move(acceptor)), asio::detached, {.name = "listener"});
  asio_console::co_spawn(ctx, app::heartbeat(), asio::detached, {.name = "heartbeat"});
  if (load > 0) asio_console::co_spawn(ctx, app::generate_load(endpoint, load), asio::detached, {.name = "load"});
  asio::signal_set stop(ctx, SIGINT, SIGTERM);
  stop.async_wait([&](auto, int) { ctx.stop(); });
  ctx.run();
}
