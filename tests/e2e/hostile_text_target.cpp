// An instrumented process whose application text is hostile, as a server's can be when it names
// tasks after what clients send: a task name, a field value and a spawn site's file (a #line path)
// holding bytes that are not UTF-8 and terminal escapes (retitle, clear screen, write the clipboard),
// and two spawns on one line. Serves consoles and, with --metrics_bind, metrics; prints
// "listening on ADDRESS" once every task has started.
#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"

ABSL_FLAG(std::string, metrics_bind, "", "where metrics are served (empty: not served)");

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace hostile {

asio::awaitable<void> parked() {
  asio::steady_timer timer(co_await asio::this_coro::executor, 1h);
  co_await timer.async_wait(asio::use_awaitable);
}

void spawn_named(asio::io_context& ctx) {
  asio_console::co_spawn(ctx, parked(), asio::detached,
                         {.name = "name-\xff\xfe-\x1b]0;retitled\x07-\x1b[2J",
                          .fields = {{"path", "/search?q=\xff\xfe"}, {"color\x1b[31m", "red\x7f"}}});
}

// Two sites that share file, line and function: one series each in the metrics all the same.
void spawn_twice_on_one_line(asio::io_context& ctx) {
  // clang-format off
  asio_console::co_spawn(ctx, parked(), asio::detached, {.name = "left"}); asio_console::co_spawn(ctx, parked(), asio::detached, {.name = "right"});
  // clang-format on
}

void spawn_from_hostile_path(asio::io_context& ctx);  // below its #line

}  // namespace hostile

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  asio_console::serve_options options;
  options.bind = "127.0.0.1:0";
  options.metrics_bind = absl::GetFlag(FLAGS_metrics_bind);
  options.publish_interval = absl::Milliseconds(200);
  asio_console::server console = asio_console::serve(options);
  if (!console.ok()) return 1;

  asio::io_context ctx;
  hostile::spawn_named(ctx);
  hostile::spawn_twice_on_one_line(ctx);
  hostile::spawn_from_hostile_path(ctx);
  ctx.poll();
  std::printf("listening on %s\n", console.address().c_str());
  std::fflush(stdout);
  ctx.run_for(10min);  // until the test kills it, or 10 minutes at most
}

// The rest of this file is named by a path that is not UTF-8 and holds an OSC 52 clipboard write.
#line 1000 "src/path-\xff\xfe-\x1b]52;c;cHduZWQ=\x07.cpp"
void hostile::spawn_from_hostile_path(asio::io_context& ctx) {
  asio_console::co_spawn(ctx, parked(), asio::detached, {.name = "from-hostile-path"});
}
