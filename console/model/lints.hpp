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
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "model/lint_kind.hpp"
#include "model/lint_results.hpp"
#include "model/state.hpp"

namespace asio_console::console {

/// What every lint finds in `model` now: the model runs this once per publication it applies
/// (some lints depend on "now") and marks each task's warnings from the summaries' task ids.
lint_results evaluate_lints(const state& model, const lint_thresholds& thresholds);

/// A full sentence about one lint applying to one task, for the task's details.
std::string describe_warning(lint_kind lint, const task& task, const state& state, const lint_thresholds& thresholds);

/// The rule of a lint in one line, with its thresholds: "idle for more than 30s without a break".
std::string explain_lint(lint_kind lint, const lint_thresholds& thresholds);

}  // namespace asio_console::console
