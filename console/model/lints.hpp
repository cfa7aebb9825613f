// Lints: what looks wrong with a task, decided from the console's state alone.
//
// Each lint is one small type (see lints.cpp) that answers three questions: does it apply to this
// task, a sentence about this task, and a fragment that reads after a count in the warnings box
// ("12 tasks have been idle for more than 30s"). Thresholds are fields of lint_thresholds.
//
//   idle-too-long  idle without interruption for longer than `idle_too_long`
//   never-woken    idle for longer than `never_woken_after` with no pending work: no Asio operation
//                  holds its continuation, so nothing inside Asio can resume it
//   long-poll      one poll held its thread longer than `long_poll`, blocking every task behind it
//   self-wakes     more than `self_wake_percent` of its wakes came from itself (yields), over at
//                  least `self_wake_min_wakes` wakes (a coroutine that never suspends has one:
//                  Asio's completion post)
//   leak-suspect   the task is idle and its spawn site's live count rose in each of the last
//                  `leak_growth_intervals` publications, by at least `leak_min_growth` over the
//                  growth window, while at least `leak_idle_percent` of the site's tasks are idle
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "model/lint_kind.hpp"
#include "model/state.hpp"

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

struct lint_results {
  /// One summary per lint that applies to any task, in the order of all_lint_kinds.
  std::vector<warning_summary> warnings;
  /// Sites that leak-suspect flags, ascending by id.
  std::vector<std::uint32_t> leak_suspect_sites;
};

/// Marks every task's warnings and returns what the warnings box, the sites view and the reports
/// show. Call after each publication: some lints depend on "now".
lint_results evaluate_lints(state& state, const lint_thresholds& thresholds);

/// A full sentence about one lint applying to one task, for the task's details.
std::string describe_warning(lint_kind lint, const task& task, const state& state, const lint_thresholds& thresholds);

/// The rule of a lint in one line, with its thresholds: "idle for more than 30s without a break".
std::string explain_lint(lint_kind lint, const lint_thresholds& thresholds);

}  // namespace asio_console::console
