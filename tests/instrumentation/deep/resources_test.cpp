// Deep mode's resources: every I/O object a task waits on, with its counts, endpoints and the
// tasks waiting on it, ended by its close, kept like finished tasks, and bounded under churn.
#include <gtest/gtest.h>
#include <signal.h>

#include <asio_console/asio_console.hpp>
#include <asio_console/instrumentation/pending_operations.hpp>
#include <asio_console/instrumentation/registry.hpp>
#include <asio_console/instrumentation/resources.hpp>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "support/asio.hpp"
#include "support/loopback.hpp"
#include "support/run_until.hpp"
#include "support/snapshot_queries.hpp"

namespace {
namespace asio = asio_console::testing::asio;
using namespace std::chrono_literals;
using asio::ip::tcp;
using asio_console::instrumentation::pending_operation;
using asio_console::instrumentation::pending_operations;
using asio_console::instrumentation::resource;
using asio_console::instrumentation::resources;
using asio_console::testing::endpoint_text;
using asio_console::testing::loopback_pair;
using asio_console::testing::run_until;
using asio_console::testing::id_of_task_named;

// The resource the task called `name` waits on, when it waits on exactly one.
std::optional<resource> waited_on_by(std::string_view name) {
  const std::uint64_t id = id_of_task_named(name);
  std::vector<std::uint64_t> objects;
  for (const pending_operation& op : pending_operations()) {
    if (id != 0 && op.task_id == id) objects.push_back(op.object_id);
  }
  if (objects.size() != 1) return std::nullopt;
  for (resource& r : resources()) {
    if (r.id == objects[0]) return std::move(r);
  }
  return std::nullopt;
}

std::optional<resource> find(std::uint64_t id) {
  for (resource& r : resources()) {
    if (r.id == id) return std::move(r);
  }
  return std::nullopt;
}

TEST(Resources, ATimerIsPendingWhileWaitedOnThenIdleWithItsCountKept) {
  asio::io_context ctx;
  // At an address no other test's timer had: a timer reports no end, so one built where another
  // of its kind was continues that one's resource (see README, deep mode).
  alignas(asio::steady_timer) static unsigned char storage[sizeof(asio::steady_timer)];
  asio::steady_timer& timer = *new (storage) asio::steady_timer(ctx, 1h);
  const auto destroy = [](asio::steady_timer* t) { std::destroy_at(t); };
  const std::unique_ptr<asio::steady_timer, decltype(destroy)> destroyed_at_exit(&timer, destroy);
  bool done = false;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    asio_console::testing::error_code error;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
    done = true;
  }, asio::detached, {.name = "timer-resource"});
  run_until(ctx, [] { return waited_on_by("timer-resource").has_value(); });
  const resource waiting = *waited_on_by("timer-resource");
  EXPECT_EQ(waiting.kind, "deadline_timer");
  EXPECT_FALSE(waiting.native_handle.has_value());
  EXPECT_EQ(waiting.pending_ops, 1u);
  EXPECT_EQ(waiting.ops_started, 1u);
  EXPECT_EQ(waiting.idle_since_ns, 0);
  EXPECT_EQ(waiting.closed_ns, 0);
  timer.cancel();
  run_until(ctx, [&] { return done; });
  const std::optional<resource> after = find(waiting.id);
  ASSERT_TRUE(after.has_value()) << "an idle timer is kept for the retention time";
  EXPECT_EQ(after->pending_ops, 0u);
  EXPECT_EQ(after->ops_started, 1u);
  EXPECT_GT(after->idle_since_ns, 0);
}

// Objects without a descriptor report no close: a timer built where a signal_set was (the same
// address, as stack frames of one size give) is a new resource, and the signal_set's has ended.
TEST(Resources, AnObjectOfAnotherKindAtTheAddressOfAnEndedOneIsANewResource) {
  asio::io_context ctx;
  alignas(std::max_align_t) unsigned char storage[std::max(sizeof(asio::signal_set), sizeof(asio::steady_timer))];
  const auto wait_once = [&](auto& object, std::string_view name) {
    bool done = false;
    asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
      co_await object.async_wait(asio::as_tuple(asio::use_awaitable));
      done = true;
    }, asio::detached, {.name = name});
    run_until(ctx, [&] { return waited_on_by(name).has_value(); });
    const resource waiting = *waited_on_by(name);
    object.cancel();
    run_until(ctx, [&] { return done; });
    return waiting;
  };

  auto* signals = new (storage) asio::signal_set(ctx);
  const resource first = wait_once(*signals, "signals-at-the-address");
  std::destroy_at(signals);
  auto* timer = new (storage) asio::steady_timer(ctx, 1h);
  const resource second = wait_once(*timer, "timer-at-the-address");
  std::destroy_at(timer);

  EXPECT_EQ(first.kind, "signal_set");
  EXPECT_EQ(second.kind, "deadline_timer");
  EXPECT_NE(second.id, first.id);
  EXPECT_EQ(second.ops_started, 1u);
  const std::optional<resource> ended = find(first.id);
  ASSERT_TRUE(ended.has_value()) << "an ended resource is kept for the retention time";
  EXPECT_GT(ended->closed_ns, 0) << "the signal_set's resource ended";
  EXPECT_EQ(ended->ops_started, 1u);
}

TEST(Resources, ASocketHasItsDescriptorAndBothEndpointsAndItsCloseEndsIt) {
  asio::io_context ctx;
  loopback_pair sockets(ctx);
  bool done = false;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    char byte;
    asio_console::testing::error_code error;
    co_await sockets.server.async_read_some(asio::buffer(&byte, 1), asio::redirect_error(asio::use_awaitable, error));
    done = true;
  }, asio::detached, {.name = "socket-resource"});
  run_until(ctx, [] { return waited_on_by("socket-resource").has_value(); });
  const resource socket = *waited_on_by("socket-resource");
  EXPECT_EQ(socket.kind, "socket");
  EXPECT_EQ(socket.native_handle, static_cast<std::uint64_t>(sockets.server.native_handle()));
  EXPECT_EQ(socket.local, endpoint_text(sockets.server.local_endpoint()));
  EXPECT_EQ(socket.remote, endpoint_text(sockets.client.local_endpoint()));
  EXPECT_EQ(socket.pending_ops, 1u);
  sockets.server.close();
  run_until(ctx, [&] { return done; });
  const std::optional<resource> closed = find(socket.id);
  ASSERT_TRUE(closed.has_value()) << "a closed socket is kept for the retention time";
  EXPECT_GT(closed->closed_ns, 0);
  EXPECT_EQ(closed->pending_ops, 0u) << "its read was cancelled by the close";
  EXPECT_EQ(closed->remote, endpoint_text(sockets.client.local_endpoint()));
}

TEST(Resources, AMovedSocketKeepsItsResourceAndAReusedDescriptorGetsANewOne) {
  asio::io_context ctx;
  loopback_pair sockets(ctx);
  std::optional<tcp::socket> moved;
  int reads = 0;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    char byte;
    co_await sockets.server.async_read_some(asio::buffer(&byte, 1), asio::use_awaitable);
    ++reads;
    moved.emplace(std::move(sockets.server));
    asio_console::testing::error_code error;
    co_await moved->async_read_some(asio::buffer(&byte, 1), asio::redirect_error(asio::use_awaitable, error));
    ++reads;
  }, asio::detached, {.name = "mover"});
  run_until(ctx, [] { return waited_on_by("mover").has_value(); });
  const std::uint64_t first = waited_on_by("mover")->id;
  asio::write(sockets.client, asio::buffer("x", 1));
  run_until(ctx, [&] { return reads == 1 && waited_on_by("mover").has_value(); });
  EXPECT_EQ(waited_on_by("mover")->id, first) << "the same descriptor, the same resource";
  EXPECT_EQ(waited_on_by("mover")->ops_started, 2u);
  const int fd = moved->native_handle();
  moved->close();
  run_until(ctx, [&] { return reads == 2; });

  // The kernel hands out the lowest free descriptor: a new socket takes the old one's.
  tcp::socket again(ctx);
  again.connect(sockets.acceptor.local_endpoint());
  ASSERT_EQ(again.native_handle(), fd);
  bool read_again = false;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    char byte;
    asio_console::testing::error_code error;
    co_await again.async_read_some(asio::buffer(&byte, 1), asio::redirect_error(asio::use_awaitable, error));
    read_again = true;
  }, asio::detached, {.name = "reuser"});
  run_until(ctx, [] { return waited_on_by("reuser").has_value(); });
  const resource reused = *waited_on_by("reuser");
  EXPECT_NE(reused.id, first);
  EXPECT_EQ(reused.ops_started, 1u);
  ASSERT_TRUE(find(first).has_value());
  EXPECT_GT(find(first)->closed_ns, 0);
  again.close();
  run_until(ctx, [&] { return read_again; });
}

TEST(Resources, AnAcceptorHasItsLocalEndpointAndNoRemote) {
  asio::io_context ctx;
  tcp::acceptor acceptor(ctx, {asio::ip::address_v4::loopback(), 0});
  bool done = false;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    tcp::socket peer = co_await acceptor.async_accept(asio::use_awaitable);
    done = true;
  }, asio::detached, {.name = "accepting"});
  run_until(ctx, [] { return waited_on_by("accepting").has_value(); });
  const resource listening = *waited_on_by("accepting");
  EXPECT_EQ(listening.kind, "acceptor");
  EXPECT_EQ(listening.local, endpoint_text(acceptor.local_endpoint()));
  EXPECT_EQ(listening.remote, "");
  tcp::socket client(ctx);
  client.connect(acceptor.local_endpoint());
  run_until(ctx, [&] { return done; });
  EXPECT_EQ(find(listening.id)->pending_ops, 0u);
}

TEST(Resources, AChannelAndASignalSetAreResourcesOfTheirKind) {
  asio::io_context ctx;
  asio::experimental::channel<void(asio_console::testing::error_code, int)> channel(ctx);
  asio::signal_set signals(ctx, SIGUSR2);
  int received = 0;
  bool signalled = false;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    received = co_await channel.async_receive(asio::use_awaitable);
  }, asio::detached, {.name = "channel-resource"});
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    co_await signals.async_wait(asio::use_awaitable);
    signalled = true;
  }, asio::detached, {.name = "signal-resource"});
  run_until(ctx, [] { return waited_on_by("channel-resource") && waited_on_by("signal-resource"); });
  EXPECT_EQ(waited_on_by("channel-resource")->kind, "channel");
  EXPECT_EQ(waited_on_by("signal-resource")->kind, "signal_set");
  const std::uint64_t channel_id = waited_on_by("channel-resource")->id;
  const std::uint64_t signals_id = waited_on_by("signal-resource")->id;
  channel.try_send(asio_console::testing::error_code{}, 7);
  ::raise(SIGUSR2);
  run_until(ctx, [&] { return received == 7 && signalled; });
  EXPECT_EQ(find(channel_id)->pending_ops, 0u);
  EXPECT_EQ(find(signals_id)->pending_ops, 0u);
}

TEST(Resources, TwoAtOnceAreTwoResourcesAndTheWakerIsNamed) {
  using namespace asio::experimental::awaitable_operators;
  asio::io_context ctx;
  loopback_pair sockets(ctx);
  asio::steady_timer timeout(ctx, 1h);
  bool done = false;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    char byte;
    co_await (sockets.server.async_read_some(asio::buffer(&byte, 1), asio::use_awaitable) ||
              timeout.async_wait(asio::use_awaitable));
    done = true;
    asio::steady_timer idle(co_await asio::this_coro::executor, 1h);
    asio_console::testing::error_code error;
    co_await idle.async_wait(asio::redirect_error(asio::use_awaitable, error));
  }, asio::detached, {.name = "two-resources"});
  std::set<std::uint64_t> objects;
  run_until(ctx, [&] {
    objects.clear();
    const std::uint64_t id = id_of_task_named("two-resources");
    for (const pending_operation& op : pending_operations()) {
      if (id != 0 && op.task_id == id) objects.insert(op.object_id);
    }
    return objects.size() == 2;
  });
  std::set<std::string> kinds;
  for (std::uint64_t id : objects) kinds.insert(std::string(find(id)->kind));
  EXPECT_EQ(kinds, (std::set<std::string>{"deadline_timer", "socket"}));
  asio::write(sockets.client, asio::buffer("x", 1));
  run_until(ctx, [&] { return done && waited_on_by("two-resources").has_value(); });
  for (std::uint64_t id : objects) EXPECT_EQ(find(id)->pending_ops, 0u) << find(id)->kind;
  const auto task = asio_console::testing::task_named(asio_console::testing::snapshot(), "two-resources");
  ASSERT_TRUE(task.has_value());
  EXPECT_TRUE(objects.contains(task->woken_by_resource)) << "one of the two woke it";
  EXPECT_FALSE(task->woken_by_operation.empty());
  ctx.stop();
}

TEST(Resources, AWakeNotFromAnOperationClearsWhatWokeTheTask) {
  asio::io_context ctx;
  asio::steady_timer timer(ctx, 1ms);
  bool posted = false;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    co_await timer.async_wait(asio::use_awaitable);
    const auto after_timer = asio_console::testing::task_named(asio_console::testing::snapshot(), "woken");
    EXPECT_EQ(after_timer->woken_by_operation, "async_wait");
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    posted = true;
  }, asio::detached, {.name = "woken"});
  run_until(ctx, [&] { return posted; });
  const auto after_post = asio_console::testing::task_named(asio_console::testing::snapshot(), "woken");
  ASSERT_TRUE(after_post.has_value());
  EXPECT_EQ(after_post->woken_by_operation, "") << "a yield woke it last";
}

// Timers made and dropped at fresh addresses, and sockets opened, read and closed: the table keeps
// what lives and at most max_retained_resources of what ended.
TEST(Resources, ChurnKeepsTheTableBounded) {
  asio::io_context ctx;
  tcp::acceptor acceptor(ctx, {asio::ip::address_v4::loopback(), 0});
  constexpr int rounds = 3 * asio_console::instrumentation::max_retained_resources / 2;
  int finished = 0;
  asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    std::vector<std::unique_ptr<asio::steady_timer>> kept;  // fresh addresses: none reused
    for (int i = 0; i < rounds; ++i) {
      kept.push_back(std::make_unique<asio::steady_timer>(ctx, 0ms));
      co_await kept.back()->async_wait(asio::use_awaitable);
      tcp::socket client(ctx);
      client.connect(acceptor.local_endpoint());
      tcp::socket server = co_await acceptor.async_accept(asio::use_awaitable);
      client.close();
      char byte;
      asio_console::testing::error_code error;
      co_await server.async_read_some(asio::buffer(&byte, 1), asio::redirect_error(asio::use_awaitable, error));
      ++finished;
    }
  }, asio::detached, {.name = "churner"});
  run_until(ctx, [&] { return finished == rounds; }, 120s);
  const std::vector<resource> all = resources();
  std::size_t open = 0;
  for (const resource& r : all) open += r.closed_ns == 0 && r.pending_ops > 0;
  EXPECT_LE(all.size(), asio_console::instrumentation::max_retained_resources + open + 1)
      << "at most the retained bound of ended or idle ones, plus the acceptor";
  EXPECT_GE(all.size(), asio_console::instrumentation::max_retained_resources / 2) << "the newest are kept";
}

TEST(Resources, TheTableIsReadWhileTwoThreadsChurnThroughSockets) {
  asio::io_context ctx;
  auto work = asio::make_work_guard(ctx);
  // The acceptor is used by its loop and closed at the end: on one strand (two threads run ctx).
  const auto acceptor_strand = asio::make_strand(ctx);
  tcp::acceptor acceptor(acceptor_strand, {asio::ip::address_v4::loopback(), 0});
  const tcp::endpoint listening = acceptor.local_endpoint();
  std::atomic<int> finished{0};
  constexpr int tasks = 50;
  for (int i = 0; i < tasks; ++i) {
    asio_console::co_spawn(ctx, [&]() -> asio::awaitable<void> {
      auto ex = co_await asio::this_coro::executor;
      for (int round = 0; round < 10; ++round) {
        tcp::socket client(ex);
        co_await client.async_connect(listening, asio::use_awaitable);
        asio::steady_timer pause(ex, 50us);
        co_await pause.async_wait(asio::use_awaitable);
        client.close();
      }
      ++finished;
    }, asio::detached, {.name = "connecter"});
  }
  asio_console::co_spawn(acceptor_strand, [&]() -> asio::awaitable<void> {
    for (;;) {
      tcp::socket peer = co_await acceptor.async_accept(asio::use_awaitable);
      peer.close();
    }
  }, asio::detached, {.name = "acceptor-loop"});
  std::thread first([&] { ctx.run(); });
  std::thread second([&] { ctx.run(); });
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  std::size_t reads = 0;
  while (finished < tasks && std::chrono::steady_clock::now() < deadline) {
    for (const resource& r : resources()) {
      EXPECT_NE(r.id, 0u);
      EXPECT_LE(r.pending_ops, r.ops_started);
    }
    ++reads;
  }
  asio::post(acceptor_strand, [&] { acceptor.close(); });
  work.reset();
  first.join();
  second.join();
  EXPECT_EQ(finished, tasks);
  EXPECT_GT(reads, 0u);
}

}  // namespace
