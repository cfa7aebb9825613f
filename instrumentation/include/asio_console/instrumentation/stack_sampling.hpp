// Which spawns get their stack captured. Capturing costs about 4 us, so by default only the first
// spawns of every site are captured and then one in N (the way jemalloc samples heap profiles):
// a site that spawns thousands of tasks still shows where they come from, for a few ns per spawn.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace asio_console::instrumentation {

struct stack_sampling {
  /// Capture the first `first` spawns of every site...
  std::uint64_t first = 16;
  /// ...then one in `every` (0: none after the first ones).
  std::uint64_t every = 64;

  static constexpr stack_sampling off() { return {0, 0}; }
  static constexpr stack_sampling all() { return {std::numeric_limits<std::uint64_t>::max(), 1}; }

  /// Whether the spawn preceded by `spawned_before` others at its site is captured.
  constexpr bool captures(std::uint64_t spawned_before) const noexcept {
    return spawned_before < first || (every != 0 && spawned_before % every == 0);
  }

  /// Parses "off", "all", or "first=N,every=M" (either part may be left out; it keeps its default).
  static absl::StatusOr<stack_sampling> parse(std::string_view text);
  /// The form parse() reads.
  std::string to_string() const;

  friend bool operator==(const stack_sampling&, const stack_sampling&) = default;
};

}  // namespace asio_console::instrumentation
