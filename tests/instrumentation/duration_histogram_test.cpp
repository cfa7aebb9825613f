// The log-linear histogram: every value lands in a bucket that contains it, buckets are narrow
// enough for ~2% error, and percentiles come out where they should.
#include <gtest/gtest.h>

#include <asio_console/instrumentation/duration_histogram.hpp>
#include <cmath>
#include <random>

namespace {
using asio_console::instrumentation::duration_histogram;
using asio_console::instrumentation::tick_clock;

TEST(DurationHistogram, EveryValueLandsInABucketThatContainsIt) {
  std::mt19937_64 random(42);
  for (int i = 0; i < 200'000; ++i) {
    const std::uint64_t value = random() >> (random() % 40 + 24);  // spread over many magnitudes
    const std::size_t index = duration_histogram::index_of(value);
    ASSERT_LT(index, duration_histogram::bucket_count);
    ASSERT_LE(duration_histogram::lower_bound(index), value) << value;
    ASSERT_LT(value, duration_histogram::upper_bound(index)) << value;
  }
}

TEST(DurationHistogram, BucketsAreAtMostAThirtySecondOfTheirValues) {
  for (std::size_t i = duration_histogram::linear_limit; i + 1 < duration_histogram::bucket_count; ++i) {
    const double lower = static_cast<double>(duration_histogram::lower_bound(i));
    const double width = static_cast<double>(duration_histogram::upper_bound(i)) - lower;
    ASSERT_LE(width / lower, 1.0 / 32 + 1e-12) << "bucket " << i;
  }
}

TEST(DurationHistogram, PercentilesOfAUniformSpreadAreWithinTwoPercent) {
  duration_histogram histogram;
  for (int value = 1; value <= 100'000; ++value) histogram.record(value);
  const tick_clock& clock = tick_clock::instance();
  const auto summary = histogram.summarize(clock);
  const auto expect_near = [&](std::int64_t got, double ticks, const char* what) {
    const double expected = ticks * clock.nanoseconds_per_tick();
    EXPECT_NEAR(static_cast<double>(got), expected, expected * 0.02 + 1) << what;
  };
  EXPECT_EQ(summary.count, 100'000u);
  expect_near(summary.p50_ns, 50'000, "p50");
  expect_near(summary.p90_ns, 90'000, "p90");
  expect_near(summary.p99_ns, 99'000, "p99");
  EXPECT_LE(summary.min_ns, summary.p50_ns);
  EXPECT_LE(summary.p99_ns, summary.max_ns);
  std::uint64_t total = 0;
  for (const auto& bucket : summary.buckets) total += bucket.count;
  EXPECT_EQ(total, summary.count);
}

TEST(DurationHistogram, EmptyHistogramSummarizesToZero) {
  duration_histogram histogram;
  const auto summary = histogram.summarize(tick_clock::instance());
  EXPECT_EQ(summary.count, 0u);
  EXPECT_TRUE(summary.buckets.empty());
}

TEST(DurationHistogram, NegativeAndHugeDurationsAreKept) {
  duration_histogram histogram;
  histogram.record(-5);
  histogram.record(std::int64_t{1} << 50);
  EXPECT_EQ(histogram.summarize(tick_clock::instance()).count, 2u);
}

}  // namespace
