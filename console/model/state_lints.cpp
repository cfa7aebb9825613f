// The model's lints, kept up to date with what each publication changed (see run_lints). Part of
// state (state.hpp): its own file only to keep state.cpp readable.
#include <algorithm>
#include <array>
#include <iterator>
#include <vector>

#include "model/lints.hpp"
#include "model/state.hpp"

namespace asio_console::console {

// Evaluates again only the tasks that changed, those whose idle time crossed a threshold, and
// when the leaking sites changed, the tasks of those sites; every task after a snapshot, or when
// so many changed that sorting the lists again is cheaper than merging into them.
void state::run_lints() {
  process_data& p = process_;
  const lint_evaluator evaluator(*this, options_.thresholds);
  // The tasks each lint flags live in the warnings they end up in (a million ids each at worst).
  flagged_tasks flagged;
  for (warning_summary& w : p.lints.warnings) flagged[static_cast<std::size_t>(w.lint)] = std::move(w.task_ids);
  const bool stale_deadlines = p.lint_deadlines.size() > 2 * p.tasks.size() + 1024;
  if (p.lint_every_task || stale_deadlines || p.lint_again.size() > p.tasks.size() / 8) {
    rerun_every_lint(evaluator, flagged);
  } else {
    rerun_changed_lints(evaluator, flagged);
  }
  p.lint_again.clear();
  p.lint_every_task = false;

  lint_results& results = p.lints;
  results.leak_suspect_sites = evaluator.leaking_sites();
  results.warnings = evaluator.warnings(std::move(flagged));
  results.next_change_ns = p.lint_deadlines.empty() ? task_verdict{}.next_change_ns : p.lint_deadlines.top().first;
}

void state::rerun_every_lint(const lint_evaluator& evaluator, flagged_tasks& flagged) {
  process_data& p = process_;
  forget_change_log();  // any task's warnings may change
  for (std::vector<std::uint64_t>& ids : flagged) ids.clear();
  std::vector<std::pair<std::int64_t, std::uint64_t>> deadlines;  // often none: tasks past every threshold
  for (auto& [id, t] : p.tasks) {
    const task_verdict verdict = evaluator.evaluate(t);
    t.warnings = verdict.applies;
    lint_evaluator::flag(flagged, id, verdict.applies);
    if (verdict.next_change_ns != task_verdict{}.next_change_ns) deadlines.emplace_back(verdict.next_change_ns, id);
  }
  p.lint_deadlines = decltype(p.lint_deadlines)(std::greater<>(), std::move(deadlines));  // one heapify
  for (std::vector<std::uint64_t>& ids : flagged) std::sort(ids.begin(), ids.end());
}

// The incremental part of run_lints: the tasks to look at again, their verdicts, and the lists
// merged with what turned.
void state::rerun_changed_lints(const lint_evaluator& evaluator, flagged_tasks& flagged) {
  process_data& p = process_;
  std::vector<std::uint64_t> again(p.lint_again.begin(), p.lint_again.end());
  while (!p.lint_deadlines.empty() && p.lint_deadlines.top().first <= p.now_ns) {
    again.push_back(p.lint_deadlines.top().second);
    p.lint_deadlines.pop();
  }
  if (evaluator.leaking_sites() != p.lints.leak_suspect_sites) {
    std::vector<std::uint32_t> turned;
    std::set_symmetric_difference(evaluator.leaking_sites().begin(), evaluator.leaking_sites().end(),
                                  p.lints.leak_suspect_sites.begin(), p.lints.leak_suspect_sites.end(),
                                  std::back_inserter(turned));
    for (const auto& [id, t] : p.tasks) {
      if (std::binary_search(turned.begin(), turned.end(), t.site_id)) again.push_back(id);
    }
  }
  std::sort(again.begin(), again.end());
  again.erase(std::unique(again.begin(), again.end()), again.end());
  // Ascending, as `again` is: merged into the ascending lists in one pass each.
  flagged_tasks added, removed;
  for (std::uint64_t id : again) {
    const auto it = p.tasks.find(id);
    task_verdict verdict;
    lint_set before;
    if (it == p.tasks.end()) {
      for (lint_kind kind : all_lint_kinds) before.insert(kind);  // gone: off every list it may be on
    } else {
      before = it->second.warnings;
      verdict = evaluator.evaluate(it->second);
      it->second.warnings = verdict.applies;
      if (before != verdict.applies) log_task_change(id);
      if (verdict.next_change_ns != task_verdict{}.next_change_ns) p.lint_deadlines.emplace(verdict.next_change_ns, id);
    }
    for (lint_kind kind : all_lint_kinds) {
      const auto k = static_cast<std::size_t>(kind);
      if (before.contains(kind) && !verdict.applies.contains(kind)) removed[k].push_back(id);
      if (!before.contains(kind) && verdict.applies.contains(kind)) added[k].push_back(id);
    }
  }
  for (std::size_t k = 0; k < all_lint_kinds.size(); ++k) {
    std::vector<std::uint64_t>& ids = flagged[k];
    if (!removed[k].empty()) {
      // Both ascending: one pass keeps what was not removed, in place.
      auto next_removed = removed[k].begin();
      auto kept = ids.begin();
      for (const std::uint64_t id : ids) {
        while (next_removed != removed[k].end() && *next_removed < id) ++next_removed;
        if (next_removed == removed[k].end() || *next_removed != id) *kept++ = id;
      }
      ids.erase(kept, ids.end());
    }
    if (!added[k].empty()) {
      const auto middle = static_cast<std::ptrdiff_t>(ids.size());
      ids.insert(ids.end(), added[k].begin(), added[k].end());
      std::inplace_merge(ids.begin(), ids.begin() + middle, ids.end());
    }
  }
}

}  // namespace asio_console::console
