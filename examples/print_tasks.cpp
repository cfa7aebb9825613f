// print_tasks: what the recorder knows, without a console.
//
// A tiny "server" handles 200 requests. Each request default-constructs a `request_context`, whose
// `cache_refresher` member spawns a background coroutine that nobody cancels: the task leak of the
// mission, in miniature. After a second the program prints its tasks grouped by spawn site, with the
// sampled spawn stack of the biggest site. The leak is the site with 200 idle tasks, and its stack
// names the constructor.
#include <algorithm>
#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <cstdio>
#include <map>

namespace asio = boost::asio;
using namespace std::chrono_literals;
namespace recorder = asio_console::instrumentation;

asio::awaitable<void> refresh_forever() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(1h);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

struct cache_refresher {
  cache_refresher() { asio_console::co_spawn(executor, refresh_forever(), asio::detached, {.name = "refresh"}); }
  static inline asio::any_io_executor executor;
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

asio::awaitable<void> heartbeat() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(100ms);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> serve_requests() {
  auto executor = co_await asio::this_coro::executor;
  for (int id = 0; id < 200; ++id) {
    asio_console::co_spawn(executor, handle_request(id), asio::detached,
                           {.name = "request", .fields = {{"kind", "demo"}}});
    asio::steady_timer pause(executor, 2ms);
    co_await pause.async_wait(asio::use_awaitable);
  }
}

int main() {
  asio::io_context ctx;
  cache_refresher::executor = ctx.get_executor();
  asio_console::co_spawn(ctx, heartbeat(), asio::detached, {.name = "heartbeat"});
  asio_console::co_spawn(ctx, serve_requests(), asio::detached, {.name = "server"});
  ctx.run_for(1s);

  const recorder::registry_snapshot snapshot = recorder::take_snapshot();
  std::map<std::uint32_t, std::map<std::string, int>> states_by_site;
  std::map<std::uint32_t, recorder::stack_id> stack_by_site;
  for (const recorder::task_snapshot& task : snapshot.tasks) {
    ++states_by_site[task.site_id][recorder::to_string(task.state)];
    if (task.stack != 0) stack_by_site.emplace(task.site_id, task.stack);
  }
  std::vector<recorder::site_snapshot> sites = snapshot.sites;
  std::sort(sites.begin(), sites.end(), [](const auto& a, const auto& b) { return a.live() > b.live(); });

  std::printf("%6s %6s %6s  %-40s %s\n", "live", "idle", "done", "spawned at", "function");
  for (const recorder::site_snapshot& site : sites) {
    const std::string file = site.file.substr(site.file.find_last_of('/') + 1);
    std::printf("%6llu %6d %6llu  %-40s %.60s\n", static_cast<unsigned long long>(site.live()),
                states_by_site[site.id]["idle"], static_cast<unsigned long long>(site.finished),
                (file + ":" + std::to_string(site.line)).c_str(), site.function.c_str());
  }
  if (!sites.empty() && stack_by_site.contains(sites.front().id)) {
    std::printf("\nspawn stack of the biggest site (library frames left out):\n");
    const auto is_library = [](const recorder::symbolized_frame& frame) {
      for (const char* prefix : {"asio_console::", "boost::", "std::", "__libc"}) {
        if (frame.function.find(prefix) != std::string::npos) return true;
      }
      return frame.file.empty();
    };
    for (const auto& frame : recorder::registry::instance().stacks().symbolize(stack_by_site[sites.front().id])) {
      if (is_library(frame)) continue;
      const std::string file = frame.file.substr(frame.file.find_last_of('/') + 1);
      std::printf("  %-40s %s:%u\n", frame.function.c_str(), file.c_str(), frame.line);
    }
  }
}
