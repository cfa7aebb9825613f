// Where a replay stands in its recording: the source (a recording) reports it as a message
// whenever it moves; the model keeps the latest for the views. A live console has none.
#pragma once

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace asio_console::console {

struct playback_status {
  std::int64_t at_ns = 0;        // the position, since the recording began
  std::int64_t duration_ns = 0;  // of the whole recording (as far as it is whole)
  std::uint64_t publication = 0;  // publications up to the position, counting every stream's
  std::uint64_t publications = 0;
  bool playing = false;  // the position moves with the clock
  absl::Time started;    // the recording's wall clock at 0
  std::string cut_short;  // why the recording's tail was left out; empty if it is whole

  /// The wall clock when the recording stood at the position.
  absl::Time wall_clock() const noexcept { return started + absl::Nanoseconds(at_ns); }
};

}  // namespace asio_console::console
