// A log-linear histogram of durations: exact below 64 ticks, then 32 buckets per power of two, so a
// bucket is at most 1/32 of its values wide and its midpoint is within about 1.6% of any of them.
// Fixed size (4.7 KB), lock-free recording (relaxed increments), for durations up to 2^40 ticks.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <vector>

#include "asio_console/instrumentation/clock.hpp"

namespace asio_console::instrumentation {

class duration_histogram {
 public:
  static constexpr int sub_bucket_bits = 5;
  static constexpr std::uint64_t linear_limit = std::uint64_t{2} << sub_bucket_bits;  // 64
  static constexpr int max_exponent = 40;
  static constexpr std::size_t bucket_count =
      linear_limit + (max_exponent - (sub_bucket_bits + 1) + 1) * (std::size_t{1} << sub_bucket_bits);

  /// Records one duration (negative ones count as zero, huge ones in the last bucket).
  void record(ticks duration) noexcept {
    counts_[index_of(duration < 0 ? 0 : static_cast<std::uint64_t>(duration))].fetch_add(
        1, std::memory_order_relaxed);
  }

  static std::size_t index_of(std::uint64_t value) noexcept {
    if (value < linear_limit) return static_cast<std::size_t>(value);
    const int exponent = std::bit_width(value) - 1;  // >= sub_bucket_bits + 1
    if (exponent > max_exponent) return bucket_count - 1;
    const std::uint64_t sub = (value >> (exponent - sub_bucket_bits)) & ((1u << sub_bucket_bits) - 1);
    return linear_limit + static_cast<std::size_t>(exponent - (sub_bucket_bits + 1)) * (1u << sub_bucket_bits) +
           static_cast<std::size_t>(sub);
  }
  /// [lower, upper) of a bucket, in ticks.
  static std::uint64_t lower_bound(std::size_t index) noexcept {
    if (index < linear_limit) return index;
    const std::size_t offset = index - linear_limit;
    const int exponent = static_cast<int>(offset >> sub_bucket_bits) + sub_bucket_bits + 1;
    const std::uint64_t sub = offset & ((1u << sub_bucket_bits) - 1);
    return (std::uint64_t{1} << exponent) + (sub << (exponent - sub_bucket_bits));
  }
  static std::uint64_t upper_bound(std::size_t index) noexcept {
    return index + 1 < bucket_count ? lower_bound(index + 1) : lower_bound(index) * 2;
  }

  struct bucket {
    std::int64_t lower_ns;
    std::int64_t upper_ns;
    std::uint64_t count;
  };
  struct summary {
    std::uint64_t count = 0;
    std::int64_t min_ns = 0, max_ns = 0, p50_ns = 0, p90_ns = 0, p99_ns = 0;
    std::vector<bucket> buckets;  // non-empty ones, increasing
  };
  /// Counts so far, in nanoseconds; percentiles are bucket midpoints.
  summary summarize(const tick_clock& clock) const;

 private:
  std::array<std::atomic<std::uint32_t>, bucket_count> counts_{};
};

/// The histograms of one task, attached while a console looks at its details.
struct task_histograms {
  duration_histogram poll_times;
  duration_histogram scheduled_times;
};

}  // namespace asio_console::instrumentation
