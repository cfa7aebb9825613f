// The tick clock converts to nanoseconds consistently with steady_clock.
#include <gtest/gtest.h>

#include <asio_console/instrumentation/clock.hpp>
#include <thread>

namespace {
using namespace std::chrono_literals;
using asio_console::instrumentation::now_ticks;
using asio_console::instrumentation::steady_now_nanoseconds;
using asio_console::instrumentation::tick_clock;

TEST(TickClock, SpansAgreeWithSteadyClock) {
  const tick_clock& clock = tick_clock::instance();
  const auto ticks_before = now_ticks();
  const auto steady_before = steady_now_nanoseconds();
  std::this_thread::sleep_for(20ms);
  const auto measured = clock.to_nanoseconds(now_ticks() - ticks_before);
  const auto expected = steady_now_nanoseconds() - steady_before;
  EXPECT_NEAR(static_cast<double>(measured), static_cast<double>(expected), expected * 0.01 + 100'000.0);
}

TEST(TickClock, PointsMapOntoSteadyTime) {
  const tick_clock& clock = tick_clock::instance();
  const auto steady = steady_now_nanoseconds();
  const auto mapped = clock.to_steady_nanoseconds(now_ticks());
  EXPECT_NEAR(static_cast<double>(mapped), static_cast<double>(steady), 1'000'000.0);
}

TEST(TickClock, NegativeSpansClampToZero) { EXPECT_EQ(tick_clock::instance().to_nanoseconds(-5), 0); }

TEST(TickClock, TicksNeverGoBackwardsOnOneThread) {
  auto previous = now_ticks();
  for (int i = 0; i < 100'000; ++i) {
    const auto next = now_ticks();
    ASSERT_GE(next, previous);
    previous = next;
  }
  EXPECT_GT(previous, 1) << "zero and one are reserved stamps";
}

}  // namespace
