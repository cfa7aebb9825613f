// The recorder's clock: cheap monotonic ticks on the hot path, nanoseconds everywhere else.
//
// A resume reads the clock twice, so its cost matters: on x86-64 with an invariant TSC a tick is one
// TSC cycle (about 10 ns to read on the reference machine, against 26 ns for steady_clock); anywhere
// else a tick is a steady_clock nanosecond. Ticks never leave the process: every reader converts them
// with tick_clock, which is calibrated once against steady_clock when the recorder starts.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace asio_console::instrumentation {

/// A point or a span on the tick clock. Zero is never a valid point.
using ticks = std::int64_t;

namespace detail {
// Set once by tick_clock's calibration, before any task record exists; never changes afterwards.
inline std::atomic<bool> tick_clock_uses_tsc{false};
}  // namespace detail

/// Reads the tick clock. Lock-free, thread-safe, monotonic per thread.
inline ticks now_ticks() noexcept {
#if defined(__x86_64__)
  if (detail::tick_clock_uses_tsc.load(std::memory_order_relaxed)) {
    return static_cast<ticks>(__rdtsc());
  }
#endif
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Converts ticks to nanoseconds. The process has one instance, created (and calibrated, about 2 ms)
/// by the first call to instance(); the registry makes that call before it issues any record.
/// Thread-safe: immutable after construction.
class tick_clock {
 public:
  static const tick_clock& instance();

  /// Length of a span of ticks in nanoseconds (negative spans, from cross-core skew, clamp to 0).
  std::int64_t to_nanoseconds(ticks span) const noexcept {
    return span <= 0 ? 0 : static_cast<std::int64_t>(static_cast<double>(span) * nanoseconds_per_tick_);
  }

  /// A tick point as steady_clock nanoseconds since its epoch.
  std::int64_t to_steady_nanoseconds(ticks point) const noexcept {
    return anchor_steady_ns_ +
           static_cast<std::int64_t>(static_cast<double>(point - anchor_ticks_) * nanoseconds_per_tick_);
  }

  /// Whether ticks are TSC cycles (true) or steady_clock nanoseconds (false).
  bool uses_tsc() const noexcept { return uses_tsc_; }
  double nanoseconds_per_tick() const noexcept { return nanoseconds_per_tick_; }

 private:
  tick_clock();

  bool uses_tsc_ = false;
  double nanoseconds_per_tick_ = 1.0;
  ticks anchor_ticks_ = 0;
  std::int64_t anchor_steady_ns_ = 0;
};

/// steady_clock nanoseconds since its epoch: the unit of every timestamp the recorder reports.
inline std::int64_t steady_now_nanoseconds() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace asio_console::instrumentation
