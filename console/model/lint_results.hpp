// What the lints found at the last publication, and the thresholds they used: the model keeps them
// (state::lints), the warnings box, the sites view and the reports show them.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "model/lint_kind.hpp"

namespace asio_console::console {

struct lint_thresholds {
  absl::Duration idle_too_long = absl::Seconds(30);
  absl::Duration never_woken_after = absl::Seconds(1);
  absl::Duration long_poll = absl::Milliseconds(100);
  double self_wake_percent = 50;
  std::uint64_t self_wake_min_wakes = 2;
  int leak_growth_intervals = 2;
  std::uint64_t leak_min_growth = 10;
  double leak_idle_percent = 80;
};

/// One line of the warnings box (and of the JSON "warnings" array).
struct warning_summary {
  lint_kind lint;
  std::uint64_t count = 0;  // tasks it applies to
  std::string message;      // "12 tasks have been idle for more than 30s"
  std::vector<std::uint64_t> task_ids;  // ascending
};

/// The tasks each lint flags, by lint_kind (lint_evaluator::flag, lint_evaluator::warnings).
using flagged_tasks = std::array<std::vector<std::uint64_t>, all_lint_kinds.size()>;

struct lint_results {
  /// One summary per lint that applies to any task, in the order of all_lint_kinds.
  std::vector<warning_summary> warnings;
  /// Sites that leak-suspect flags, ascending by id.
  std::vector<std::uint32_t> leak_suspect_sites;
  /// The earliest model time (state::now_ns) at which a lint would start to apply to a task with
  /// no update about it: an idle task crossing a threshold. Until then, and while nothing else
  /// changes, evaluating the lints again would find the same.
  std::int64_t next_change_ns = std::numeric_limits<std::int64_t>::max();
};

}  // namespace asio_console::console
