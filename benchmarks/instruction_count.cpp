// The recorder's hot paths as a fixed amount of work, for counting instructions under callgrind.
//
//   instruction_count <resume|spawn> <plain|recorded> <count>
//
// Runs `count` resumes (`co_await post(executor)` in one task) or `count` spawns of a trivial
// coroutine (256 in flight, default stack sampling), plain boost::asio::co_spawn or
// asio_console::co_spawn. benchmarks/instructions.sh runs it at two counts and divides the
// difference, which cancels start-up, so the result is instructions per item: repeatable on a
// noisy machine where nanoseconds are not.
#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {
namespace asio = boost::asio;

template <typename Awaitable>
void spawn(bool recorded, asio::io_context& ctx, Awaitable&& body) {
  if (recorded) {
    asio_console::co_spawn(ctx, std::forward<Awaitable>(body), asio::detached);
  } else {
    asio::co_spawn(ctx, std::forward<Awaitable>(body), asio::detached);
  }
}

asio::awaitable<void> trivial() { co_return; }

void resumes(bool recorded, long count) {
  asio::io_context ctx(1);
  spawn(recorded, ctx, [count]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    for (long i = 0; i < count; ++i) co_await asio::post(executor, asio::use_awaitable);
  });
  ctx.run();
}

void spawns(bool recorded, long count) {
  constexpr long batch = 256;
  asio::io_context ctx(1);
  for (long done = 0; done < count; done += batch) {
    for (long i = 0; i < batch && done + i < count; ++i) spawn(recorded, ctx, trivial());
    ctx.restart();
    ctx.run();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: instruction_count <resume|spawn> <plain|recorded> <count>\n");
    return 2;
  }
  const std::string_view what = argv[1];
  const bool recorded = std::string_view(argv[2]) == "recorded";
  const long count = std::atol(argv[3]);
  // Start the recorder (clock calibration, options) in both variants so that the difference between
  // two counts holds only the per-item work. Finished tasks are not retained, so spawns recycle
  // records as they do in a long-running server once the retention period has passed.
  auto& registry = asio_console::instrumentation::registry::instance();
  auto options = registry.options();
  options.retention = absl::ZeroDuration();
  registry.configure(options);
  if (what == "resume") {
    resumes(recorded, count);
  } else if (what == "spawn") {
    spawns(recorded, count);
  } else {
    std::fprintf(stderr, "instruction_count: unknown workload '%s'\n", argv[1]);
    return 2;
  }
  return 0;
}
