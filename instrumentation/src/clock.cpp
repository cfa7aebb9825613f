#include "asio_console/instrumentation/clock.hpp"

#include <thread>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace asio_console::instrumentation {
namespace {

// An invariant TSC ticks at a constant rate in every power state and is synchronized across cores
// (CPUID 0x80000007, EDX bit 8); only then are TSC differences durations.
bool has_invariant_tsc() {
#if defined(__x86_64__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_max(0x80000000u, nullptr) < 0x80000007u) return false;
  __get_cpuid(0x80000007u, &eax, &ebx, &ecx, &edx);
  return (edx & (1u << 8)) != 0;
#else
  return false;
#endif
}

#if defined(__x86_64__)
// A (tsc, steady ns) pair read as close together as the machine allows: the read with the
// smallest TSC window around the steady_clock call wins.
struct clock_pair {
  ticks tsc;
  std::int64_t steady_ns;
};

clock_pair read_pair() {
  clock_pair best{0, 0};
  ticks best_window = -1;
  for (int attempt = 0; attempt < 5; ++attempt) {
    const ticks before = static_cast<ticks>(__rdtsc());
    const std::int64_t steady = steady_now_nanoseconds();
    const ticks after = static_cast<ticks>(__rdtsc());
    if (best_window < 0 || after - before < best_window) {
      best_window = after - before;
      best = {before + (after - before) / 2, steady};
    }
  }
  return best;
}
#endif

}  // namespace

tick_clock::tick_clock() {
#if defined(__x86_64__)
  if (has_invariant_tsc()) {
    const clock_pair start = read_pair();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const clock_pair end = read_pair();
    if (end.tsc > start.tsc && end.steady_ns > start.steady_ns) {
      uses_tsc_ = true;
      nanoseconds_per_tick_ =
          static_cast<double>(end.steady_ns - start.steady_ns) / static_cast<double>(end.tsc - start.tsc);
      anchor_ticks_ = end.tsc;
      anchor_steady_ns_ = end.steady_ns;
      detail::tick_clock_uses_tsc.store(true, std::memory_order_relaxed);
      return;
    }
  }
#endif
  anchor_ticks_ = now_ticks();
  anchor_steady_ns_ = anchor_ticks_;
}

const tick_clock& tick_clock::instance() {
  static const tick_clock clock;
  return clock;
}

}  // namespace asio_console::instrumentation
