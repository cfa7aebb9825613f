// What serving consoles costs: one publication over N live tasks, the bytes a task takes on the
// wire, and the application's resume cost while a console is attached.
#include <benchmark/benchmark.h>
#include <grpcpp/grpcpp.h>

#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <thread>

#include "asio_console/v1/instrument.grpc.pb.h"
#include "server/publisher.hpp"

namespace {
namespace asio = boost::asio;
namespace recorder = asio_console::instrumentation;
using asio_console::server_internal::publication;
using asio_console::server_internal::publisher;

// N tasks parked on a channel that never sends, on an io_context that is not running.
class parked_tasks {
 public:
  explicit parked_tasks(int count) {
    for (int i = 0; i < count; ++i) {
      asio_console::co_spawn(ctx_, [this]() -> asio::awaitable<void> {
        boost::system::error_code ignored;
        co_await never_.async_receive(asio::redirect_error(asio::use_awaitable, ignored));
      }, asio::detached, {.name = "parked", .fields = {{"kind", "benchmark"}}});
    }
    ctx_.poll();
  }
  ~parked_tasks() {
    never_.close();
    ctx_.run();
    recorder::registry::instance().reclaim();
  }

 private:
  using channel = asio::experimental::channel<void(boost::system::error_code)>;
  asio::io_context ctx_;
  channel never_{ctx_};
};

std::size_t bytes_of(const std::vector<asio_console::server_internal::update_ptr>& chunks) {
  std::size_t bytes = 0;
  for (const auto& chunk : chunks) bytes += chunk->ByteSizeLong();
  return bytes;
}

void configure_for_churn() {
  auto options = recorder::registry::instance().options();
  options.stacks = recorder::stack_sampling::off();
  options.retention = absl::ZeroDuration();
  recorder::registry::instance().configure(options);
}

// A publication when nothing changed: the walk over N tasks that every interval pays.
void publish_unchanged(benchmark::State& state) {
  configure_for_churn();
  parked_tasks tasks(static_cast<int>(state.range(0)));
  publisher pub(recorder::registry::instance(), 1u << 20, 1'000'000'000);
  const publication first = pub.publish(false, 0);  // everything is new once
  state.counters["new_task_bytes_per_task"] = static_cast<double>(bytes_of(first.delta)) / state.range(0);
  std::size_t bytes = 0;
  for (auto _ : state) bytes = bytes_of(pub.publish(false, 0).delta);
  state.counters["unchanged_delta_bytes"] = static_cast<double>(bytes);
}

// The same after a peak: a million records were made (and their tasks have finished), 10,000 live
// now. What a publication walks follows the records ever made, not the live tasks.
void publish_unchanged_after_peak(benchmark::State& state) {
  configure_for_churn();
  { parked_tasks peak(1'000'000); }
  parked_tasks tasks(10'000);
  publisher pub(recorder::registry::instance(), 1u << 20, 1'000'000'000);
  pub.publish(false, 0);
  for (auto _ : state) benchmark::DoNotOptimize(pub.publish(false, 0));
  state.counters["records"] = static_cast<double>(recorder::registry::instance().counters().records_allocated);
}

// A publication that also builds a snapshot of every task (a console connecting or resyncing).
void publish_snapshot(benchmark::State& state) {
  configure_for_churn();
  parked_tasks tasks(static_cast<int>(state.range(0)));
  publisher pub(recorder::registry::instance(), 1u << 20, 1'000'000'000);
  pub.publish(false, 0);
  std::size_t bytes = 0, chunks = 0;
  for (auto _ : state) {
    const publication p = pub.publish(true, 0);
    bytes = bytes_of(p.snapshot);
    chunks = p.snapshot.size();
  }
  state.counters["snapshot_bytes_per_task"] = static_cast<double>(bytes) / state.range(0);
  state.counters["chunks"] = static_cast<double>(chunks);
}

// What a first console after none costs the process: every task is new, and only the snapshot is
// written (no other watcher takes the delta). `asio-console dump` of an unwatched process pays it.
void publish_first_snapshot(benchmark::State& state) {
  configure_for_churn();
  parked_tasks tasks(static_cast<int>(state.range(0)));
  publisher pub(recorder::registry::instance(), 1u << 20, 1'000'000'000);
  for (auto _ : state) {
    pub.reset();
    benchmark::DoNotOptimize(pub.publish(true, 0, /*with_delta=*/false));
  }
}

// resume_post (as in recorder_benchmark) with no server, a server, and a server with a console
// reading every 50 ms publication.
void resume_post_served(benchmark::State& state) {
  configure_for_churn();
  const int mode = static_cast<int>(state.range(0));  // 0: no server, 1: server, 2: console attached
  asio_console::server server;
  std::unique_ptr<asio_console::v1::Instrument::Stub> stub;
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<asio_console::v1::Update>> reader;
  std::thread reading;
  if (mode >= 1) {
    asio_console::serve_options options;
    options.bind = "127.0.0.1:0";
    options.publish_interval = absl::Milliseconds(50);
    server = asio_console::serve(options);
  }
  if (mode == 2) {
    stub = asio_console::v1::Instrument::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
    reader = stub->WatchUpdates(&context, asio_console::v1::WatchUpdatesRequest());
    reading = std::thread([&] {
      asio_console::v1::Update update;
      while (reader->Read(&update)) {
      }
    });
  }
  constexpr int resumes = 1000;
  asio::io_context ctx(1);
  for (auto _ : state) {
    asio_console::co_spawn(ctx, []() -> asio::awaitable<void> {
      auto executor = co_await asio::this_coro::executor;
      for (int i = 0; i < resumes; ++i) co_await asio::post(executor, asio::use_awaitable);
    }, asio::detached);
    ctx.restart();
    ctx.run();
  }
  state.SetItemsProcessed(state.iterations() * resumes);
  if (mode == 2) {
    context.TryCancel();
    reading.join();
    reader->Finish();
  }
}

BENCHMARK(publish_unchanged)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(publish_unchanged_after_peak)->Unit(benchmark::kMillisecond);
BENCHMARK(publish_snapshot)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(publish_first_snapshot)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(resume_post_served)->ArgName("console")->Arg(0)->Arg(1)->Arg(2);

}  // namespace

BENCHMARK_MAIN();
