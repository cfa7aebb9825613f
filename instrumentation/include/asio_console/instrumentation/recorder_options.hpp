// What the recorder keeps and captures. Set from code (registry::configure) or from the
// environment, which the registry reads once when it is created:
//
//   ASIO_CONSOLE_RETENTION     how long finished tasks stay visible (Abseil duration: 30s, 5m, 1h)
//   ASIO_CONSOLE_MAX_RETAINED  at most this many finished tasks are kept (older ones are reclaimed)
//   ASIO_CONSOLE_STACKS        spawn stack sampling: off | all | first=N,every=M
//   ASIO_CONSOLE_AWAIT_STACKS  where tasks are suspended: on (the default) | off
//   ASIO_CONSOLE_LONG_POLL     polls longer than this are counted as long (Abseil duration)
//
// A bad value leaves that setting at its default and yields a one-line explanation.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "asio_console/instrumentation/stack_sampling.hpp"

namespace asio_console::instrumentation {

struct recorder_options {
  /// Finished tasks stay visible for this long after they finish...
  absl::Duration retention = absl::Minutes(1);
  /// ...and at most this many of them are kept; beyond that the oldest are reclaimed early.
  std::size_t max_retained = 100'000;
  /// Which spawns have their stack captured.
  stack_sampling stacks;
  /// Whether tasks record where they are suspended (their await stack) and spawn stacks continue
  /// through the coroutines awaiting the spawner.
  bool await_stacks = true;
  /// Polls that hold their thread longer than this are counted (registry_counters::long_polls, the
  /// metric asio_console_long_polls_total). The console's long-poll lint has the same default.
  absl::Duration long_poll = absl::Milliseconds(100);

  /// Defaults overridden by the environment. Each bad variable adds one line to `problems`.
  static recorder_options from_environment(std::vector<std::string>& problems);
};

}  // namespace asio_console::instrumentation
