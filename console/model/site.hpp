// A spawn site (a place in the source that spawns tasks) and how its live count moved over time.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

namespace asio_console::console {

struct source_location {
  std::string file;
  std::string function;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

/// A sample of a site's live count, taken at the end of each publication.
struct live_sample {
  std::int64_t at_ns = 0;
  std::uint64_t live = 0;
};

struct site {
  std::uint32_t id = 0;
  source_location location;
  // Process-wide counts: they include tasks the process no longer keeps.
  std::uint64_t spawned = 0;
  std::uint64_t finished = 0;
  std::uint64_t unrecorded = 0;  // spawns here that ran unrecorded (not in spawned)
  // Oldest first, covering at most the state's growth window.
  std::deque<live_sample> history;
  // Of the tasks the console knows: those here that have not completed, and how many of them are
  // idle (kept up to date by the model as tasks change; leak-suspect reads them).
  std::uint64_t known_live = 0;
  std::uint64_t known_idle = 0;

  std::uint64_t live() const noexcept { return spawned >= finished ? spawned - finished : 0; }

  /// Change of the live count per minute over the history; 0 with fewer than two samples.
  double growth_per_minute() const noexcept;

  /// True when the live count rose in each of the last `intervals` publications and by at least
  /// `min_growth` over the whole history: a count that keeps growing, not one that went up once.
  bool keeps_growing(int intervals, std::uint64_t min_growth) const noexcept;
};

}  // namespace asio_console::console
