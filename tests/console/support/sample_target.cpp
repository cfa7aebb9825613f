// An instrumented process for the console's end-to-end tests: one task of each kind the console
// must show (a leak through a defaulted member, a heartbeat, a long poll, a yielder, a task nobody
// can wake, a parent with children, short requests that complete) and serve() on the address it
// prints once all of them have started: "listening on 127.0.0.1:40123".
#include <asio_console/asio_console.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"

ABSL_FLAG(std::string, bind, "127.0.0.1:0", "where consoles connect");
ABSL_FLAG(absl::Duration, publish_interval, absl::Milliseconds(200), "publish interval");
ABSL_FLAG(absl::Duration, leak_every, absl::Milliseconds(20), "one leaked task per this long (0: no leak)");
ABSL_FLAG(int, extra_idle_tasks, 0, "this many more idle tasks at one site (scale)");

#if defined(ASIO_CONSOLE_STANDALONE_ASIO)  // the same program on standalone Asio
#include <asio.hpp>
#else
#include <boost/asio.hpp>
namespace asio = boost::asio;
#endif
using namespace std::chrono_literals;

namespace sample {

asio::any_io_executor background;

// The application's own generic spawn wrapper: the spawn location alone points here.
void spawn(asio::awaitable<void> body, std::string_view name) {
  asio_console::co_spawn(background, std::move(body), asio::detached, {.name = name});
}

asio::awaitable<void> refresh_forever() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(1h);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

struct cache_refresher {
  cache_refresher() { spawn(refresh_forever(), "refresher"); }
};

struct request_context {
  int id = 0;
  cache_refresher refresher;  // default-constructed with every request: one leaked task each
};

asio::awaitable<void> handle_request(int id) {
  request_context context{.id = id};
  asio::steady_timer work(co_await asio::this_coro::executor, 1ms);
  co_await work.async_wait(asio::use_awaitable);
}

asio::awaitable<void> requests(std::chrono::nanoseconds every) {
  auto executor = co_await asio::this_coro::executor;
  for (int id = 0;; ++id) {
    if (every.count() > 0) {
      asio_console::co_spawn(executor, handle_request(id), asio::detached,
                             {.name = "request", .fields = {{"kind", "leaky"}}});
    }
    asio::steady_timer pause(executor, every.count() > 0 ? every : std::chrono::nanoseconds(100ms));
    co_await pause.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> heartbeat() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(50ms);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> blocks_once() {
  std::this_thread::sleep_for(150ms);  // holds the thread: long-poll
  asio::steady_timer timer(co_await asio::this_coro::executor, 1h);
  co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<void> yielder() {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  for (;;) {
    for (int i = 0; i < 10; ++i) co_await asio::post(executor, asio::use_awaitable);
    timer.expires_after(100ms);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

// Keeps the waiting coroutine's handler and no work: nothing in Asio will ever resume it.
std::function<void()> forgotten_waiter;

asio::awaitable<void> waits_for_nobody() {
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [](auto handler) {
        auto kept = std::make_shared<decltype(handler)>(std::move(handler));
        forgotten_waiter = [kept] { asio::post(std::move(*kept)); };
      },
      asio::use_awaitable);
}

asio::awaitable<void> child(int n) {
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::hours(n));
  co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<void> parent() {
  auto executor = co_await asio::this_coro::executor;
  for (int n = 1; n <= 3; ++n) asio_console::co_spawn(executor, child(n), asio::detached, {.name = "child"});
  asio::steady_timer timer(executor, 1h);
  co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<void> parked() {
  asio::steady_timer timer(co_await asio::this_coro::executor, 1h);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace sample

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  asio_console::serve_options options;
  options.bind = absl::GetFlag(FLAGS_bind);
  options.publish_interval = absl::GetFlag(FLAGS_publish_interval);
  asio_console::server console = asio_console::serve(options);
  if (!console.ok()) return 1;

  asio::io_context ctx;
  sample::background = ctx.get_executor();
  asio_console::co_spawn(ctx, sample::heartbeat(), asio::detached, {.name = "heartbeat"});
  asio_console::co_spawn(ctx, sample::blocks_once(), asio::detached, {.name = "blocker"});
  asio_console::co_spawn(ctx, sample::yielder(), asio::detached, {.name = "yielder"});
  asio_console::co_spawn(ctx, sample::waits_for_nobody(), asio::detached, {.name = "forgotten"});
  asio_console::co_spawn(ctx, sample::parent(), asio::detached, {.name = "parent", .fields = {{"role", "owner"}}});
  for (int i = 0; i < absl::GetFlag(FLAGS_extra_idle_tasks); ++i) {
    asio_console::co_spawn(ctx, sample::parked(), asio::detached, {.name = "parked"});
  }
  asio_console::co_spawn(ctx, sample::requests(absl::ToChronoNanoseconds(absl::GetFlag(FLAGS_leak_every))),
                         asio::detached, {.name = "request-loop"});
  ctx.poll();  // every task has had its first poll: the process is what the tests expect
  std::printf("listening on %s\n", console.address().c_str());
  std::fflush(stdout);
  // Until the test kills it, or 10 minutes at most.
  ctx.run_for(10min);
}
