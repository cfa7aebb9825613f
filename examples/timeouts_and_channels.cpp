// timeouts_and_channels: a producer feeds a consumer through a channel; the consumer waits for each
// value with a timeout (`receive || timer`, awaitable operators). The console shows:
//   - the consumer as one task: the children Asio starts for `||` belong to it (no extra tasks);
//   - the producer's wakes coming from the channel (the consumer taking values), not from itself;
//   - a third task, `stuck-consumer`, that waits on a channel nobody sends to, without a timeout:
//     idle ever longer, flagged idle-too-long after 30 s.
#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <chrono>
#include <cstdio>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using namespace std::chrono_literals;
using channel = asio::experimental::channel<void(boost::system::error_code, int)>;

asio::awaitable<void> produce(channel& values) {
  asio::steady_timer pace(co_await asio::this_coro::executor);
  for (int i = 0;; ++i) {
    pace.expires_after(i % 10 == 9 ? 1500ms : 100ms);  // now and then, slower than the timeout
    co_await pace.async_wait(asio::use_awaitable);
    co_await values.async_send(boost::system::error_code{}, i, asio::use_awaitable);
  }
}

asio::awaitable<void> consume(channel& values) {
  asio::steady_timer timeout(co_await asio::this_coro::executor);
  int received = 0, timeouts = 0;
  for (;;) {
    timeout.expires_after(1s);
    auto result = co_await (values.async_receive(asio::use_awaitable) || timeout.async_wait(asio::use_awaitable));
    if (result.index() == 0) {
      ++received;
    } else {
      std::printf("consumer: no value for 1s (%d received, %d timeouts)\n", received, ++timeouts);
    }
  }
}

asio::awaitable<void> wait_forever(channel& nobody_sends) {
  co_await nobody_sends.async_receive(asio::use_awaitable);
}

int main() {
  asio_console::server console = asio_console::serve();
  std::printf("timeouts_and_channels: console on %s\n", console.address().c_str());
  asio::io_context ctx;
  channel values(ctx), nobody_sends(ctx);
  asio_console::co_spawn(ctx, produce(values), asio::detached, {.name = "producer"});
  asio_console::co_spawn(ctx, consume(values), asio::detached, {.name = "consumer"});
  asio_console::co_spawn(ctx, wait_forever(nobody_sends), asio::detached, {.name = "stuck-consumer"});
  ctx.run();
}
