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
  const bool stale_deadlines = p.lint_deadlines.size() > 2 * p.tasks.size() + 1024;
  if (p.lint_every_task || stale_deadlines || p.lint_again.size() > p.tasks.size() / 8) {
    rerun_every_lint(evaluator);
  } else {
    rerun_changed_lints(evaluator);
  }
  p.lint_again.clear();
  p.lint_every_task = false;

  lint_results& results = p.lints;
  results.leak_suspect_sites = evaluator.leaking_sites();
  results.warnings.clear();
  for (lint_kind kind : all_lint_kinds) {
    const std::vector<std::uint64_t>& ids = p.flagged[static_cast<std::size_t>(kind)];
    if (!ids.empty()) results.warnings.push_back({kind, ids.size(), evaluator.summary(kind, ids.size()), ids});
  }
  results.next_change_ns = p.lint_deadlines.empty() ? task_verdict{}.next_change_ns : p.lint_deadlines.top().first;
}

void state::rerun_every_lint(const lint_evaluator& evaluator) {
  process_data& p = process_;
  forget_change_log();  // any task's warnings may change
  for (std::vector<std::uint64_t>& ids : p.flagged) ids.clear();
  p.lint_deadlines = {};
  for (auto& [id, t] : p.tasks) {
    const task_verdict verdict = evaluator.evaluate(t);
    t.warnings = verdict.applies;
    for (lint_kind kind : all_lint_kinds) {
      if (verdict.applies.contains(kind)) p.flagged[static_cast<std::size_t>(kind)].push_back(id);
    }
    if (verdict.next_change_ns != task_verdict{}.next_change_ns) p.lint_deadlines.emplace(verdict.next_change_ns, id);
  }
  for (std::vector<std::uint64_t>& ids : p.flagged) std::sort(ids.begin(), ids.end());
}

// The incremental part of run_lints: the tasks to look at again, their verdicts, and the lists
// merged with what turned.
void state::rerun_changed_lints(const lint_evaluator& evaluator) {
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
  std::array<std::vector<std::uint64_t>, all_lint_kinds.size()> added, removed;
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
    if (added[k].empty() && removed[k].empty()) continue;
    std::vector<std::uint64_t> kept;
    kept.reserve(p.flagged[k].size() + added[k].size());
    std::set_difference(p.flagged[k].begin(), p.flagged[k].end(), removed[k].begin(), removed[k].end(),
                        std::back_inserter(kept));
    std::vector<std::uint64_t> merged;
    merged.reserve(kept.size() + added[k].size());
    std::merge(kept.begin(), kept.end(), added[k].begin(), added[k].end(), std::back_inserter(merged));
    p.flagged[k] = std::move(merged);
  }
}

}  // namespace asio_console::console
