// Lints: what looks wrong with a task, decided from the console's state alone.
//
// Each lint is one self-describing object (see lints.cpp): its name, its rule with the thresholds it
// uses, whether it applies to a task, a sentence about that task, and a fragment that reads after a
// count in the warnings box ("12 tasks have been idle for more than 30s"). Thresholds are fields of
// lint_thresholds.
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
#include <limits>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "model/lint_kind.hpp"
#include "model/lint_results.hpp"
#include "model/state.hpp"

namespace asio_console::console {

/// What every lint finds in `model` now, over every task. The model keeps the same up to date
/// task by task (lint_evaluator) as publications change its tasks and time passes.
lint_results evaluate_lints(const state& model, const lint_thresholds& thresholds);

/// One task's verdicts: the lints that apply to it, and the earliest model time from which
/// another would if nothing but time changed (an idle task crossing a threshold).
struct task_verdict {
  lint_set applies;
  std::int64_t next_change_ns = std::numeric_limits<std::int64_t>::max();
};

/// The lints at one moment of a model (its time, its leaking sites), task by task. Made in
/// O(sites): each site's known live and idle tasks are counted by the model as they change.
class lint_evaluator {
 public:
  lint_evaluator(const state& model, const lint_thresholds& thresholds);
  /// Sites that leak-suspect flags, ascending by id.
  const std::vector<std::uint32_t>& leaking_sites() const noexcept { return leaking_sites_; }
  /// Nothing applies to a completed task.
  task_verdict evaluate(const task& t) const;
  /// Adds task `id` to the list of each lint in `applies`.
  static void flag(flagged_tasks& flagged, std::uint64_t id, lint_set applies);
  /// One warning per lint that flags a task, in the order of all_lint_kinds, each with its line
  /// for the warnings box; the lists (ascending) move into them.
  std::vector<warning_summary> warnings(flagged_tasks&& flagged) const;

 private:
  const state& model_;
  const lint_thresholds& thresholds_;
  std::vector<std::uint32_t> leaking_sites_;
};

/// A full sentence about one lint applying to one task, for the task's details.
std::string describe_warning(lint_kind lint, const task& task, const state& state, const lint_thresholds& thresholds);

/// The rule of a lint in one line, with its thresholds: "idle for more than 30s without a break".
std::string explain_lint(lint_kind lint, const lint_thresholds& thresholds);

}  // namespace asio_console::console
