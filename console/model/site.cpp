#include "model/site.hpp"

#include <algorithm>

namespace asio_console::console {

double site::growth_per_minute() const noexcept {
  if (history.size() < 2) return 0;
  const live_sample& first = history.front();
  const live_sample& last = history.back();
  const std::int64_t span_ns = last.at_ns - first.at_ns;
  if (span_ns <= 0) return 0;
  const double change = static_cast<double>(last.live) - static_cast<double>(first.live);
  return change * 60e9 / static_cast<double>(span_ns);
}

bool site::keeps_growing(int intervals, std::uint64_t min_growth) const noexcept {
  if (intervals < 1 || history.size() < static_cast<std::size_t>(intervals) + 1) return false;
  for (std::size_t i = history.size() - intervals; i < history.size(); ++i) {
    if (history[i].live <= history[i - 1].live) return false;
  }
  const auto lowest = std::min_element(history.begin(), history.end(),
                                       [](const live_sample& a, const live_sample& b) { return a.live < b.live; });
  return history.back().live >= lowest->live + min_growth;
}

}  // namespace asio_console::console
