#include "model/lints.hpp"

#include <algorithm>
#include <limits>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "model/format.hpp"

namespace asio_console::console {
namespace {

struct lint_context {
  const state& model;
  const lint_thresholds& thresholds;
  const std::vector<std::uint32_t>& leaking_sites;  // ascending

  bool leaking(std::uint32_t site_id) const {
    return std::binary_search(leaking_sites.begin(), leaking_sites.end(), site_id);
  }
};

std::string duration_text(absl::Duration d) { return format_duration(absl::ToInt64Nanoseconds(d)); }

double percent(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

// One lint, self-described: its name, its rule with the thresholds it reads, whether it applies to
// a task, a sentence about that task, and what follows a count in the warnings box.
class lint {
 public:
  virtual ~lint() = default;
  virtual lint_kind kind() const = 0;
  virtual std::string_view name() const = 0;
  virtual std::string rule(const lint_thresholds& thresholds) const = 0;
  virtual bool applies(const task& t, const lint_context& context) const = 0;
  /// For a task it does not apply to: the model time from which it would, if nothing but time
  /// changed (never, for lints that do not read the time).
  virtual std::int64_t applies_from(const task&, const lint_context&) const { return never; }
  virtual std::string sentence(const task& t, const lint_context& context) const = 0;
  virtual std::string summary(std::uint64_t count, const lint_context& context) const = 0;
};

// When an idle task's uninterrupted idle time first exceeds `threshold` (see task::idle_for_ns).
std::int64_t idle_longer_than(const task& t, absl::Duration threshold) {
  if (t.stats.state != task_state::idle) return never;
  return t.idle_since_ns() + absl::ToInt64Nanoseconds(threshold) + 1;
}

const char* tasks_have(std::uint64_t count) { return count == 1 ? "task has" : "tasks have"; }

class idle_too_long final : public lint {
 public:
  lint_kind kind() const override { return lint_kind::idle_too_long; }
  std::string_view name() const override { return "idle-too-long"; }
  std::string rule(const lint_thresholds& t) const override {
    return absl::StrCat("idle for more than ", duration_text(t.idle_too_long), " without a break");
  }
  bool applies(const task& t, const lint_context& c) const override {
    return t.idle_for_ns(c.model.now_ns()) > absl::ToInt64Nanoseconds(c.thresholds.idle_too_long);
  }
  std::int64_t applies_from(const task& t, const lint_context& c) const override {
    return idle_longer_than(t, c.thresholds.idle_too_long);
  }
  std::string sentence(const task& t, const lint_context& c) const override {
    return absl::StrCat("This task has been idle for ", format_duration(t.idle_for_ns(c.model.now_ns())),
                        ", more than ", duration_text(c.thresholds.idle_too_long), ".");
  }
  std::string summary(std::uint64_t count, const lint_context& c) const override {
    return absl::StrCat(count, " ", tasks_have(count), " been idle for more than ",
                        duration_text(c.thresholds.idle_too_long));
  }
};

class never_woken final : public lint {
 public:
  lint_kind kind() const override { return lint_kind::never_woken; }
  std::string_view name() const override { return "never-woken"; }
  std::string rule(const lint_thresholds& t) const override {
    return absl::StrCat("idle for more than ", duration_text(t.never_woken_after),
                        " with no pending operation: nothing can wake it");
  }
  bool applies(const task& t, const lint_context& c) const override {
    return nothing_pending(t, c) && t.stats.state == task_state::idle &&
           t.idle_for_ns(c.model.now_ns()) > absl::ToInt64Nanoseconds(c.thresholds.never_woken_after);
  }
  std::int64_t applies_from(const task& t, const lint_context& c) const override {
    return nothing_pending(t, c) ? idle_longer_than(t, c.thresholds.never_woken_after) : never;
  }
  std::string sentence(const task& t, const lint_context& c) const override {
    return absl::StrCat("This task has been idle for ", format_duration(t.idle_for_ns(c.model.now_ns())),
                        " with no pending operation: nothing inside Asio can wake it.");
  }
  std::string summary(std::uint64_t count, const lint_context&) const override {
    return absl::StrCat(count, " ", count == 1 ? "task is" : "tasks are",
                        " idle with no pending operation and will never be woken");
  }

 private:
  // Deep mode knows every operation a task waits on; otherwise the pending work tells.
  static bool nothing_pending(const task& t, const lint_context& c) {
    return c.model.deep_mode() ? c.model.deep_stats_of(t.id).pending_ops.empty() : t.stats.pending_work_known && t.stats.pending_work == 0;
  }
};

class long_poll final : public lint {
 public:
  lint_kind kind() const override { return lint_kind::long_poll; }
  std::string_view name() const override { return "long-poll"; }
  std::string rule(const lint_thresholds& t) const override {
    return absl::StrCat("one poll held its thread for more than ", duration_text(t.long_poll));
  }
  bool applies(const task& t, const lint_context& c) const override {
    return t.stats.longest_poll_ns > absl::ToInt64Nanoseconds(c.thresholds.long_poll);
  }
  std::string sentence(const task& t, const lint_context& c) const override {
    return absl::StrCat("One poll of this task held its thread for ", format_duration(t.stats.longest_poll_ns),
                        ", more than ", duration_text(c.thresholds.long_poll),
                        ": every task behind it on that thread waited.");
  }
  std::string summary(std::uint64_t count, const lint_context& c) const override {
    return absl::StrCat(count, " ", tasks_have(count), " held a thread for more than ",
                        duration_text(c.thresholds.long_poll), " in one poll");
  }
};

class self_wakes final : public lint {
 public:
  lint_kind kind() const override { return lint_kind::self_wakes; }
  std::string_view name() const override { return "self-wakes"; }
  std::string rule(const lint_thresholds& t) const override {
    return absl::StrFormat("more than %.0f%% of its wakes came from itself (%d+ wakes)", t.self_wake_percent,
                           t.self_wake_min_wakes);
  }
  bool applies(const task& t, const lint_context& c) const override {
    return t.stats.wakes >= std::max<std::uint64_t>(c.thresholds.self_wake_min_wakes, 1) &&
           percent(t.stats.self_wakes, t.stats.wakes) > c.thresholds.self_wake_percent;
  }
  std::string sentence(const task& t, const lint_context& c) const override {
    return absl::StrFormat("This task has woken itself for more than %.0f%% of its wakes (%.0f%%).",
                           c.thresholds.self_wake_percent, percent(t.stats.self_wakes, t.stats.wakes));
  }
  std::string summary(std::uint64_t count, const lint_context& c) const override {
    return absl::StrFormat("%d %s more than %.0f%% of the time", count,
                           count == 1 ? "task has woken itself" : "tasks have woken themselves",
                           c.thresholds.self_wake_percent);
  }
};

class leak_suspect final : public lint {
 public:
  lint_kind kind() const override { return lint_kind::leak_suspect; }
  std::string_view name() const override { return "leak-suspect"; }
  std::string rule(const lint_thresholds& t) const override {
    return absl::StrFormat(
        "idle, at a site whose live count rose in each of the last %d publications (by %d+ in the window), "
        "%.0f%%+ of its tasks idle",
        t.leak_growth_intervals, t.leak_min_growth, t.leak_idle_percent);
  }
  bool applies(const task& t, const lint_context& c) const override {
    return t.stats.state == task_state::idle && c.leaking(t.site_id);
  }
  std::string sentence(const task& t, const lint_context& c) const override {
    const site* s = c.model.find_site(t.site_id);
    if (s == nullptr) return "This task's spawn site keeps growing while its tasks stay idle.";
    return absl::StrFormat("This task's spawn site %s keeps growing (%+.0f/min, %d live) while its tasks stay idle.",
                           format_location(s->location), s->growth_per_minute(), s->live());
  }
  std::string summary(std::uint64_t count, const lint_context& c) const override {
    return absl::StrCat(count, " idle ", count == 1 ? "task comes" : "tasks come", " from ", c.leaking_sites.size(),
                        c.leaking_sites.size() == 1 ? " site" : " sites", " whose live count keeps growing");
  }
};

const std::vector<std::unique_ptr<lint>>& all_lints() {
  static const auto* lints = [] {
    auto* list = new std::vector<std::unique_ptr<lint>>();
    list->push_back(std::make_unique<idle_too_long>());
    list->push_back(std::make_unique<never_woken>());
    list->push_back(std::make_unique<long_poll>());
    list->push_back(std::make_unique<self_wakes>());
    list->push_back(std::make_unique<leak_suspect>());
    return list;
  }();
  return *lints;
}

// Sites whose live count keeps growing while most of their known tasks are idle, ascending by id.
std::vector<std::uint32_t> find_leaking_sites(const state& model, const lint_thresholds& thresholds) {
  std::vector<std::uint32_t> sites;
  for (const auto& [id, s] : model.sites()) {
    if (s.known_live == 0 || !s.keeps_growing(thresholds.leak_growth_intervals, thresholds.leak_min_growth)) continue;
    if (percent(s.known_idle, s.known_live) >= thresholds.leak_idle_percent) sites.push_back(id);
  }
  std::sort(sites.begin(), sites.end());
  return sites;
}

const lint& lint_for(lint_kind kind) {
  for (const auto& l : all_lints()) {
    if (l->kind() == kind) return *l;
  }
  return *all_lints().front();
}

}  // namespace

lint_evaluator::lint_evaluator(const state& model, const lint_thresholds& thresholds)
    : model_(model), thresholds_(thresholds), leaking_sites_(find_leaking_sites(model, thresholds)) {}

task_verdict lint_evaluator::evaluate(const task& t) const {
  task_verdict verdict;
  if (t.completed()) return verdict;
  const lint_context context{model_, thresholds_, leaking_sites_};
  for (const auto& l : all_lints()) {
    if (l->applies(t, context)) {
      verdict.applies.insert(l->kind());
    } else {
      verdict.next_change_ns = std::min(verdict.next_change_ns, l->applies_from(t, context));
    }
  }
  return verdict;
}

void lint_evaluator::flag(flagged_tasks& flagged, std::uint64_t id, lint_set applies) {
  for (lint_kind kind : all_lint_kinds) {
    if (applies.contains(kind)) flagged[static_cast<std::size_t>(kind)].push_back(id);
  }
}

std::vector<warning_summary> lint_evaluator::warnings(flagged_tasks&& flagged) const {
  const lint_context context{model_, thresholds_, leaking_sites_};
  std::vector<warning_summary> out;
  for (lint_kind kind : all_lint_kinds) {
    std::vector<std::uint64_t>& ids = flagged[static_cast<std::size_t>(kind)];
    if (ids.empty()) continue;
    const std::uint64_t count = ids.size();
    out.push_back({kind, count, lint_for(kind).summary(count, context), std::move(ids)});
  }
  return out;
}

lint_results evaluate_lints(const state& model, const lint_thresholds& thresholds) {
  const lint_evaluator evaluator(model, thresholds);
  lint_results results;
  results.leak_suspect_sites = evaluator.leaking_sites();
  flagged_tasks flagged;
  for (const auto& [id, t] : model.tasks()) {
    const task_verdict verdict = evaluator.evaluate(t);
    lint_evaluator::flag(flagged, id, verdict.applies);
    results.next_change_ns = std::min(results.next_change_ns, verdict.next_change_ns);
  }
  for (std::vector<std::uint64_t>& ids : flagged) std::sort(ids.begin(), ids.end());
  results.warnings = evaluator.warnings(std::move(flagged));
  return results;
}

std::string_view lint_name(lint_kind kind) noexcept { return lint_for(kind).name(); }

std::string explain_lint(lint_kind kind, const lint_thresholds& thresholds) { return lint_for(kind).rule(thresholds); }

std::string describe_warning(lint_kind kind, const task& t, const state& model, const lint_thresholds& thresholds) {
  // A sentence reads only the task and its site: no need to find the leaking sites again.
  static const std::vector<std::uint32_t> no_sites;
  const lint_context context{model, thresholds, no_sites};
  return lint_for(kind).sentence(t, context);
}

}  // namespace asio_console::console
