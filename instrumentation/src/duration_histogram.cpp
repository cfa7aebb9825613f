#include "asio_console/instrumentation/duration_histogram.hpp"

namespace asio_console::instrumentation {

duration_histogram::summary duration_histogram::summarize(const tick_clock& clock) const {
  summary out;
  std::array<std::uint64_t, bucket_count> counts{};
  for (std::size_t i = 0; i < bucket_count; ++i) {
    counts[i] = counts_[i].load(std::memory_order_relaxed);
    out.count += counts[i];
  }
  if (out.count == 0) return out;
  const auto to_ns = [&](std::uint64_t value) { return clock.to_nanoseconds(static_cast<ticks>(value)); };
  const auto midpoint = [&](std::size_t i) {
    return i < linear_limit ? to_ns(i) : to_ns((lower_bound(i) + upper_bound(i)) / 2);
  };
  const std::uint64_t rank50 = (out.count * 50 + 99) / 100;
  const std::uint64_t rank90 = (out.count * 90 + 99) / 100;
  const std::uint64_t rank99 = (out.count * 99 + 99) / 100;
  std::uint64_t seen = 0;
  bool first = true;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    if (counts[i] == 0) continue;
    if (first) {
      out.min_ns = to_ns(lower_bound(i));
      first = false;
    }
    out.max_ns = to_ns(upper_bound(i));
    const std::uint64_t before = seen;
    seen += counts[i];
    if (before < rank50 && seen >= rank50) out.p50_ns = midpoint(i);
    if (before < rank90 && seen >= rank90) out.p90_ns = midpoint(i);
    if (before < rank99 && seen >= rank99) out.p99_ns = midpoint(i);
    out.buckets.push_back(bucket{to_ns(lower_bound(i)), to_ns(upper_bound(i)), counts[i]});
  }
  return out;
}

}  // namespace asio_console::instrumentation
