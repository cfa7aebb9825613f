// What deep mode costs the server: one publication while N operations are pending, each on a
// timer of its own (N pending operations and N resources), all started by one recorded task. The
// publisher copies every pending operation and every resource at each publication; this measures
// that, unchanged and as a snapshot.
#include <benchmark/benchmark.h>

#include <asio_console/asio_console.hpp>
#include <asio_console/instrumentation/pending_operations.hpp>
#include <asio_console/instrumentation/resources.hpp>
#include <boost/asio.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <memory>
#include <string>

#include "server/publisher.hpp"

namespace {
namespace asio = boost::asio;
namespace recorder = asio_console::instrumentation;
using asio_console::server_internal::publisher;

// `count` timers, each with a wait started by one recorded task that then parks.
class pending_waits {
 public:
  explicit pending_waits(int count) {
    timers_.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) timers_.push_back(std::make_unique<asio::steady_timer>(ctx_, std::chrono::hours(1)));
    asio_console::co_spawn(ctx_, [this]() -> asio::awaitable<void> {
      for (auto& timer : timers_) timer->async_wait([](boost::system::error_code) {});
      boost::system::error_code ignored;
      co_await never_.async_receive(asio::redirect_error(asio::use_awaitable, ignored));
    }, asio::detached, {.name = "starter"});
    ctx_.poll();
  }
  ~pending_waits() {
    never_.close();
    for (auto& timer : timers_) timer->cancel();
    ctx_.run();
    recorder::registry::instance().reclaim();
  }

 private:
  asio::io_context ctx_;
  std::vector<std::unique_ptr<asio::steady_timer>> timers_;
  asio::experimental::channel<void(boost::system::error_code)> never_{ctx_};
};

void publish_pending(benchmark::State& state, bool snapshot) {
  const int count = static_cast<int>(state.range(0));
  pending_waits waits(count);
  publisher pub(recorder::registry::instance(), 1u << 20, 1'000'000'000);
  pub.publish(false, 0);  // everything is new once
  for (auto _ : state) benchmark::DoNotOptimize(pub.publish(snapshot, 0));
  state.counters["pending_ops"] = static_cast<double>(recorder::pending_operations().size());
  state.counters["resources"] = static_cast<double>(recorder::resources().size());
}

void publish_unchanged(benchmark::State& state) { publish_pending(state, false); }
void publish_snapshot(benchmark::State& state) { publish_pending(state, true); }

BENCHMARK(publish_unchanged)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(publish_snapshot)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
