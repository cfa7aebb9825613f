// The server under load: stacks and details on request, reflection, a watcher that stops reading,
// and a million live tasks streamed whole.
#include <gtest/gtest.h>

#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>
#include <memory>
#include <thread>
#include <vector>

#include "support/update_reader.hpp"

namespace {
namespace asio = boost::asio;
namespace v1 = asio_console::v1;
using namespace std::chrono_literals;
using asio_console::testing::console_model;
using asio_console::testing::update_reader;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int scale = 100;  // sanitizers are 5-20x slower and use more memory per task
#else
constexpr int scale = 1;
#endif

asio_console::server start_server(std::size_t watcher_buffer_bytes = 32u << 20, std::size_t max_streams = 64) {
  asio_console::serve_options options;
  options.bind = "127.0.0.1:0";
  options.publish_interval = absl::Milliseconds(50);
  options.watcher_buffer_bytes = watcher_buffer_bytes;
  options.max_streams = options.max_streams_per_connection = max_streams;
  asio_console::server server = asio_console::serve(options);
  EXPECT_TRUE(server.ok()) << server.status();
  return server;
}

struct spawner_at_known_site {
  explicit spawner_at_known_site(asio::io_context& ctx) {
    asio_console::co_spawn(ctx, []() -> asio::awaitable<void> { co_return; }, asio::detached,
                           {.name = "stack-probe"});
  }
};

TEST(ServerStacks, SymbolizeStacksNamesTheFunctionThatSpawned) {
  auto options = asio_console::instrumentation::registry::instance().options();
  const auto saved = options;
  options.stacks = asio_console::instrumentation::stack_sampling::all();
  asio_console::instrumentation::registry::instance().configure(options);
  asio::io_context ctx;
  spawner_at_known_site probe(ctx);
  ctx.run();
  asio_console::instrumentation::registry::instance().configure(saved);

  asio_console::server server = start_server();
  update_reader console(server.address());
  ASSERT_TRUE(console.read_until([](const console_model& m) { return m.named("stack-probe").has_value(); }));
  const std::uint32_t stack_id = console.model().named("stack-probe")->stack_id;
  ASSERT_NE(stack_id, 0u);

  auto stub = asio_console::testing::connect(server.address());
  grpc::ClientContext context;
  v1::SymbolizeStacksRequest request;
  request.add_stack_ids(stack_id);
  v1::SymbolizeStacksResponse response;
  ASSERT_TRUE(stub->SymbolizeStacks(&context, request, &response).ok());
  ASSERT_EQ(response.stacks_size(), 1);
  bool names_spawner = false;
  for (const auto& frame : response.stacks(0).frames()) {
    names_spawner |= frame.function().find("spawner_at_known_site") != std::string::npos;
  }
  EXPECT_TRUE(names_spawner) << response.DebugString();
}

TEST(ServerDetails, DetailsStreamCarriesTheTaskAndItsHistograms) {
  auto options = asio_console::instrumentation::registry::instance().options();
  const auto saved = options;
  options.stacks = asio_console::instrumentation::stack_sampling::all();
  asio_console::instrumentation::registry::instance().configure(options);
  asio::io_context ctx;
  asio::steady_timer forever(ctx, asio::steady_timer::time_point::max());
  std::uint64_t id = 0;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    id = asio_console::instrumentation::current_task()->id();
    boost::system::error_code ignored;
    co_await forever.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }, asio::detached, {.name = "detailed"});
  ctx.poll();
  asio_console::instrumentation::registry::instance().configure(saved);
  ASSERT_NE(id, 0u);

  asio_console::server server = start_server();
  auto stub = asio_console::testing::connect(server.address());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 20s);
  v1::TaskDetailsRequest request;
  request.set_task_id(id);
  auto reader = stub->WatchTaskDetails(&context, request);
  v1::TaskDetails details;
  ASSERT_TRUE(reader->Read(&details));
  EXPECT_EQ(details.task_id(), id);
  EXPECT_GT(details.now_ns(), 0);
  EXPECT_TRUE(details.note().empty()) << "histograms are attached: " << details.note();
  EXPECT_TRUE(details.has_poll_times());
  context.TryCancel();
  reader->Finish();
}

TEST(ServerDetails, HistogramsFillWhileTheTaskIsWatched) {
  asio::io_context ctx;
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> id{0};
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    id = asio_console::instrumentation::current_task()->id();
    asio::steady_timer tick(co_await asio::this_coro::executor);
    while (!stop) {
      tick.expires_after(1ms);
      co_await tick.async_wait(asio::use_awaitable);
    }
  }, asio::detached, {.name = "ticking"});
  std::thread runner([&] { ctx.run(); });
  while (id == 0) std::this_thread::yield();

  asio_console::server server = start_server();
  auto stub = asio_console::testing::connect(server.address());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 20s);
  v1::TaskDetailsRequest request;
  request.set_task_id(id.load());
  auto reader = stub->WatchTaskDetails(&context, request);
  v1::TaskDetails details;
  bool filled = false;
  for (int i = 0; i < 200 && !filled && reader->Read(&details); ++i) {
    filled = details.poll_times().count() >= 10 && details.scheduled_times().count() >= 10;
  }
  EXPECT_TRUE(filled) << details.DebugString();
  EXPECT_GT(details.poll_times().p50_ns(), 0);
  EXPECT_LE(details.poll_times().p50_ns(), details.poll_times().p99_ns());
  EXPECT_LE(details.poll_times().p99_ns(), details.poll_times().max_ns());
  EXPECT_TRUE(details.note().empty()) << details.note();
  context.TryCancel();
  reader->Finish();
  stop = true;
  runner.join();
}

TEST(ServerDetails, HistogramSlotsComeBackWhenNobodyWatchesTheirTasks) {
  // More long-lived tasks than there are histogram slots, watched a batch at a time and left: each
  // batch gets histograms (the slots of the batches before are free again), including for a task
  // that polls every millisecond on another thread while its histograms are let go.
  constexpr int tasks = static_cast<int>(asio_console::instrumentation::registry::max_histograms) + 200;
  asio::io_context ctx;
  asio::steady_timer forever(ctx, asio::steady_timer::time_point::max());
  std::atomic<bool> stop{false};
  std::vector<std::uint64_t> ids;
  std::atomic<std::uint64_t> ticking_id{0};
  for (int i = 0; i < tasks; ++i) {
    asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
      ids.push_back(asio_console::instrumentation::current_task()->id());
      boost::system::error_code ignored;
      co_await forever.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }, asio::detached);
  }
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    ticking_id = asio_console::instrumentation::current_task()->id();
    asio::steady_timer tick(co_await asio::this_coro::executor);
    while (!stop) {
      tick.expires_after(1ms);
      co_await tick.async_wait(asio::use_awaitable);
    }
  }, asio::detached);
  ctx.poll();
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(tasks));
  std::thread runner([&] { ctx.run(); });

  asio_console::server server = start_server(32u << 20, /*max_streams=*/400);
  auto stub = asio_console::testing::connect(server.address());
  // Watches `batch` at once (on one connection: the limits are raised, as streams just cancelled may not be done yet); true when each got histograms (a slot still held by a stream that
  // just ended may make one wait a publication or two).
  const auto watch = [&](const std::vector<std::uint64_t>& batch) {
    std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
    std::vector<std::unique_ptr<grpc::ClientReader<v1::TaskDetails>>> readers;
    for (std::uint64_t id : batch) {
      contexts.push_back(std::make_unique<grpc::ClientContext>());
      contexts.back()->set_deadline(std::chrono::system_clock::now() + 30s);
      v1::TaskDetailsRequest request;
      request.set_task_id(id);
      readers.push_back(stub->WatchTaskDetails(contexts.back().get(), request));
    }
    bool all = true;
    for (std::size_t i = 0; i < readers.size(); ++i) {
      v1::TaskDetails details;
      bool attached = false;
      for (int read = 0; read < 20 && !attached && readers[i]->Read(&details); ++read) attached = details.note().empty();
      EXPECT_TRUE(attached) << "task " << batch[i] << ": " << details.note();
      all = all && attached;
    }
    for (std::size_t i = 0; i < readers.size(); ++i) {
      contexts[i]->TryCancel();
      readers[i]->Finish();
    }
    return all;
  };
  ASSERT_TRUE(watch({ticking_id.load()}));
  for (std::size_t first = 0; first < ids.size(); first += 100) {
    std::vector<std::uint64_t> batch(ids.begin() + first, ids.begin() + std::min(ids.size(), first + 100));
    ASSERT_TRUE(watch(batch)) << "batch from " << first;
  }
  EXPECT_TRUE(watch({ticking_id.load()})) << "watched again after it was let go while it ran";
  stop = true;
  asio::post(ctx, [&] { forever.cancel(); });
  runner.join();
}

TEST(ServerDetails, UnknownTaskEndsWithNotFound) {
  asio_console::server server = start_server();
  auto stub = asio_console::testing::connect(server.address());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 20s);
  v1::TaskDetailsRequest request;
  request.set_task_id(~std::uint64_t{0});
  auto reader = stub->WatchTaskDetails(&context, request);
  v1::TaskDetails details;
  EXPECT_FALSE(reader->Read(&details));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(ServerReflection, StandardToolsCanListTheService) {
  asio_console::server server = start_server();
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 20s);
  // grpc.reflection.v1alpha.ServerReflectionRequest{list_services: ""}, encoded by hand: field 7.
  const char request_bytes[] = {0x3a, 0x00};
  grpc::Slice slice(request_bytes, sizeof request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> call(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          channel.get(),
          grpc::internal::RpcMethod("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                                    grpc::internal::RpcMethod::BIDI_STREAMING),
          &context));
  ASSERT_TRUE(call->Write(request));
  call->WritesDone();
  grpc::ByteBuffer response;
  ASSERT_TRUE(call->Read(&response));
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_NE(bytes.find("asio_console.v1.Instrument"), std::string::npos);
  while (call->Read(&response)) {
  }
  EXPECT_TRUE(call->Finish().ok());
}

TEST(ServerLoad, WatcherThatStopsReadingDoesNotSlowTheApplication) {
  asio_console::server server = start_server(/*watcher_buffer_bytes=*/64 << 10);
  auto stub = asio_console::testing::connect(server.address());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 120s);
  v1::WatchUpdatesRequest request;
  request.set_protocol_version(1);
  auto stalled = stub->WatchUpdates(&context, request);  // never read while the app works

  const int spawns = 100'000 / (scale > 1 ? 10 : 1);
  asio::io_context ctx;
  for (int batch = 0; batch < spawns / 1000; ++batch) {
    for (int i = 0; i < 1000; ++i) {
      asio_console::co_spawn(ctx, []() -> asio::awaitable<void> { co_return; }, asio::detached,
                             {.name = "churn"});
    }
    ctx.restart();
    ctx.run();
    std::this_thread::sleep_for(1ms);  // let several publications pile up
  }
  // The application finished all its work while nobody read. Finished tasks the watcher never saw
  // were reclaimed at the count bound (memory stays bounded); the watcher was resynchronized or cut.
  asio_console::instrumentation::registry::instance().reclaim();
  const auto counters = asio_console::instrumentation::registry::instance().counters();
  EXPECT_LE(counters.retained, asio_console::instrumentation::registry::instance().options().max_retained);
  v1::Update update;
  bool resynchronized = false;
  while (stalled->Read(&update)) {
    if (!update.resync_reason().empty()) {
      resynchronized = true;
      break;
    }
  }
  if (!resynchronized) {
    const grpc::Status status = stalled->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  } else {
    EXPECT_NE(update.resync_reason().find("fell behind"), std::string::npos) << update.resync_reason();
    context.TryCancel();
    stalled->Finish();
  }
}

TEST(ServerLoad, AWatcherThatNeverReadsIsCutOffAtItsThirdTimeBehindAndCounted) {
  asio_console::server server = start_server(/*watcher_buffer_bytes=*/256 << 10);
  auto stub = asio_console::testing::connect(server.address());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 200s);
  v1::WatchUpdatesRequest request;
  request.set_protocol_version(1);
  auto stalled = stub->WatchUpdates(&context, request);  // not read until it is cut off

  // Publications of tens of KiB (every task brings a string of its own): soon more than the stalled
  // watcher's transport holds. Now and then a fresh console takes one snapshot and reads the counters.
  const auto dropped_now = [&] {
    update_reader look(server.address());
    look.read_until([](const console_model& m) { return m.counters.spawned() > 0; }, 20s);
    return look.model().counters.dropped_watchers();
  };
  asio::io_context ctx;
  const auto deadline = std::chrono::steady_clock::now() + 150s;
  std::uint64_t dropped = 0;
  for (int round = 1; dropped == 0 && std::chrono::steady_clock::now() < deadline; ++round) {
    for (int i = 0; i < 20; ++i) {
      // Sanitized builds spawn fewer tasks a second: larger strings fill the transport as soon.
      const std::string request_id =
          std::to_string(round) + "-" + std::to_string(i) + std::string(scale > 1 ? 4000 : 100, 'x');
      asio_console::co_spawn(ctx, []() -> asio::awaitable<void> { co_return; }, asio::detached,
                             {.name = "churn", .fields = {{"request", request_id}}});
    }
    ctx.restart();
    ctx.run();
    std::this_thread::sleep_for(1ms);
    if (round % (scale > 1 ? 20 : 200) == 0) dropped = dropped_now();
  }
  EXPECT_GE(dropped, 1u) << "Counters.dropped_watchers counts the watcher cut off";

  v1::Update update;
  while (stalled->Read(&update)) {
  }
  const grpc::Status status = stalled->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_NE(status.error_message().find("falling behind 3 times"), std::string::npos) << status.error_message();
}

TEST(ServerLoad, AConsoleThatReadsNothingIsCutOffAtTheStallTimeoutAndCounted) {
  // Tasks churn with a kilobyte each, more than a console's transport takes unread; its budget is
  // so large that it never falls behind: only the stall timeout can cut it off.
  auto& registry = asio_console::instrumentation::registry::instance();
  const auto saved = registry.options();
  auto bounded = saved;
  bounded.max_retained = 2000;  // what each fresh console's snapshot carries stays small
  registry.configure(bounded);
  asio_console::serve_options options;
  options.bind = "127.0.0.1:0";
  options.publish_interval = absl::Milliseconds(50);
  options.watcher_buffer_bytes = std::size_t{1} << 30;
  options.stall_timeout = absl::Seconds(1);
  asio_console::server server = asio_console::serve(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = asio_console::testing::connect(server.address());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 60s);
  v1::WatchUpdatesRequest request;
  request.set_protocol_version(1);
  auto stalled = stub->WatchUpdates(&context, request);  // not read until the end

  const auto churn_until = std::chrono::steady_clock::now() + 5s;
  asio::io_context ctx;
  for (int round = 0; std::chrono::steady_clock::now() < churn_until; ++round) {
    for (int i = 0; i < 20; ++i) {
      asio_console::co_spawn(ctx, []() -> asio::awaitable<void> { co_return; }, asio::detached,
                             {.name = "churn", .fields = {{"payload", std::to_string(round * 20 + i) + std::string(1000, 'p')}}});
    }
    ctx.restart();
    ctx.run();
    std::this_thread::sleep_for(5ms);
  }
  update_reader look(server.address());
  look.read_until([](const console_model& m) { return m.snapshots == 1 && m.counters.spawned() > 0; }, 30s);
  EXPECT_EQ(look.model().counters.dropped_watchers(), 1u) << "the stalled console, counted";
  // Cancelled by the server: what the client reads now ends at once, not at its deadline.
  const auto reading = std::chrono::steady_clock::now();
  v1::Update update;
  while (stalled->Read(&update)) {
  }
  const grpc::Status status = stalled->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED) << status.error_message();
  EXPECT_LT(std::chrono::steady_clock::now() - reading, 20s);
  registry.configure(saved);
}

TEST(ServerLoad, MillionLiveTasksStreamWhole) {
  const int tasks = 1'000'000 / scale;
  using channel = asio::experimental::channel<void(boost::system::error_code)>;
  asio::io_context ctx;
  channel never(ctx);
  for (int i = 0; i < tasks; ++i) {
    asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
      boost::system::error_code ignored;
      co_await never.async_receive(asio::redirect_error(asio::use_awaitable, ignored));
    }, asio::detached, {.name = "parked"});
  }
  ctx.poll();

  asio_console::server server = start_server(/*watcher_buffer_bytes=*/256u << 20);
  update_reader console(server.address());
  int parked = 0;
  const bool whole = console.read_until(
      [&](const console_model& m) {
        if (m.snapshots == 0 || m.tasks.size() < static_cast<std::size_t>(tasks)) return false;
        parked = 0;
        for (const auto& [id, task] : m.tasks) parked += task.name == "parked" ? 1 : 0;
        return parked == tasks;
      },
      300s);
  EXPECT_TRUE(whole) << "received " << parked << " of " << tasks << " parked tasks";
  console.finish();
  never.close();
  ctx.run();
  // Leave the registry as it was: the finished tasks would weigh on later tests in this process.
  auto options = asio_console::instrumentation::registry::instance().options();
  const auto saved = options;
  options.retention = absl::ZeroDuration();
  asio_console::instrumentation::registry::instance().configure(options);
  asio_console::instrumentation::registry::instance().reclaim();
  asio_console::instrumentation::registry::instance().configure(saved);
}

}  // namespace
