// Each lint on tasks built to trip it, and on tasks that must not.
#include "model/lints.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>

#include "support/random_publications.hpp"
#include "support/update_builder.hpp"

namespace {
using asio_console::console::evaluate_lints;
using asio_console::console::lint_kind;
using asio_console::console::lint_results;
using asio_console::console::lint_set;
using asio_console::console::task_state;
using asio_console::console::lint_thresholds;
using asio_console::console::state;
using asio_console::console::warning_summary;
using asio_console::testing::random_publications;
using asio_console::testing::task_spec;
using asio_console::testing::update_builder;
namespace v1 = asio_console::v1;
constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t second = 1000 * ms;

const warning_summary* find(const std::vector<warning_summary>& warnings, lint_kind kind) {
  for (const auto& w : warnings) {
    if (w.lint == kind) return &w;
  }
  return nullptr;
}

TEST(Lints, IdleTooLongCountsOnlyTheCurrentIdleStretch) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(100 * second, true)
                              .new_task({.id = 1, .name = "stuck", .last_poll_end_ns = 10 * second})
                              .new_task({.id = 2, .name = "ticking", .last_poll_end_ns = 99 * second})
                              .new_task({.id = 3, .name = "busy", .state = asio_console::v1::TASK_STATE_RUNNING})
                              .build())
                  .ok());
  const auto warnings = evaluate_lints(model, lint_thresholds{}).warnings;
  const warning_summary* idle = find(warnings, lint_kind::idle_too_long);
  ASSERT_NE(idle, nullptr);
  EXPECT_EQ(idle->task_ids, std::vector<std::uint64_t>{1});
  EXPECT_EQ(idle->message, "1 task has been idle for more than 30.0s");
  EXPECT_TRUE(model.find_task(1)->warnings.contains(lint_kind::idle_too_long));
  EXPECT_FALSE(model.find_task(2)->warnings.contains(lint_kind::idle_too_long));
}

TEST(Lints, NeverWokenNeedsNoPendingWorkAndAnIdleStretch) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(10 * second, true)
                              .new_task({.id = 1, .last_poll_end_ns = 5 * second, .pending_work = 0})
                              .new_task({.id = 2, .last_poll_end_ns = 5 * second, .pending_work = 2})
                              .new_task({.id = 3, .last_poll_end_ns = 10 * second - ms, .pending_work = 0})
                              .new_task({.id = 4, .last_poll_end_ns = 5 * second, .pending_work = -1})
                              .build())
                  .ok());
  const auto warnings = evaluate_lints(model, lint_thresholds{}).warnings;
  const warning_summary* never = find(warnings, lint_kind::never_woken);
  ASSERT_NE(never, nullptr);
  EXPECT_EQ(never->task_ids, std::vector<std::uint64_t>{1})
      << "2 waits on something, 3 just went idle, 4 comes from a recorder that does not count";
}

v1::PendingOperation timer_wait() {
  v1::PendingOperation op;
  op.set_operation("async_wait");
  op.set_object_kind("deadline_timer");
  op.set_object_id(0x1000);
  op.set_since_ns(5 * second);
  return op;
}

TEST(Lints, NeverWokenInDeepModeIsExactlyAnIdleTaskWithNoPendingOperation) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(10 * second, true)
                              .deep_mode()
                              .new_task({.id = 1, .last_poll_end_ns = 5 * second, .pending_work = 2})
                              .new_task({.id = 2, .last_poll_end_ns = 5 * second, .pending_work = 0,
                                         .pending_ops = {timer_wait()}})
                              .new_task({.id = 3, .last_poll_end_ns = 5 * second, .pending_work = 1,
                                         .pending_ops = {timer_wait()}})
                              .build())
                  .ok());
  ASSERT_TRUE(model.deep_mode());
  EXPECT_EQ(model.deep_stats_of(2).pending_ops.at(0).object_kind, "deadline_timer");
  const auto warnings = evaluate_lints(model, lint_thresholds{}).warnings;
  const warning_summary* never = find(warnings, lint_kind::never_woken);
  ASSERT_NE(never, nullptr);
  EXPECT_EQ(never->task_ids, std::vector<std::uint64_t>{1})
      << "1 holds work but no operation will complete; 2 and 3 wait on a timer, whatever the work count";
}

TEST(Lints, LongPollAndSelfWakesUseTheirThresholds) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(10 * second, true)
                              .new_task({.id = 1, .longest_poll_ns = 150 * ms})
                              .new_task({.id = 2, .longest_poll_ns = 50 * ms})
                              .new_task({.id = 3, .polls = 11, .wakes = 10, .self_wakes = 9})
                              .new_task({.id = 4, .polls = 11, .wakes = 10, .self_wakes = 5})
                              .new_task({.id = 5, .polls = 2, .wakes = 1, .self_wakes = 1})
                              .build())
                  .ok());
  auto warnings = evaluate_lints(model, lint_thresholds{}).warnings;
  EXPECT_EQ(find(warnings, lint_kind::long_poll)->task_ids, std::vector<std::uint64_t>{1});
  EXPECT_EQ(find(warnings, lint_kind::self_wakes)->task_ids, std::vector<std::uint64_t>{3})
      << "5 is a coroutine that never suspended: its one wake is Asio's completion post";
  EXPECT_EQ(find(warnings, lint_kind::self_wakes)->message, "1 task has woken itself more than 50% of the time");
  warnings = evaluate_lints(model, lint_thresholds{.long_poll = absl::Milliseconds(10), .self_wake_percent = 40}).warnings;
  EXPECT_EQ(find(warnings, lint_kind::long_poll)->count, 2u);
  EXPECT_EQ(find(warnings, lint_kind::self_wakes)->count, 2u);
}

// A site whose live count follows `lives`, one publication per second, all of its tasks idle.
state site_growing(const std::vector<std::uint64_t>& lives, bool idle = true) {
  update_builder updates;
  state model;
  std::uint64_t next_id = 1;
  std::int64_t now = second;
  for (std::size_t i = 0; i < lives.size(); ++i, now += second) {
    updates.publication(now, i == 0);
    if (i == 0) updates.site(1, "leak.cpp", 10, "spawn").site(2, "main.cpp", 5, "main");
    if (i == 0) updates.new_task({.id = next_id++, .site_id = 2, .last_poll_end_ns = now});  // an accept loop
    while (next_id - 1 < lives[i] + 1) {
      updates.new_task({.id = next_id++, .site_id = 1,
                        .state = idle ? asio_console::v1::TASK_STATE_IDLE : asio_console::v1::TASK_STATE_RUNNING,
                        .last_poll_end_ns = now});
    }
    updates.site_stats(1, lives[i], 0).site_stats(2, 1, 0);
    EXPECT_TRUE(model.apply(updates.build()).ok());
  }
  return model;
}

TEST(Lints, LeakSuspectFiresForASiteThatKeepsGrowingWithIdleTasks) {
  state model = site_growing({10, 20, 30, 40});
  const auto warnings = evaluate_lints(model, lint_thresholds{}).warnings;
  const warning_summary* leak = find(warnings, lint_kind::leak_suspect);
  ASSERT_NE(leak, nullptr);
  EXPECT_EQ(leak->count, 40u);
  EXPECT_EQ(leak->message, "40 idle tasks come from 1 site whose live count keeps growing");
  EXPECT_FALSE(model.find_task(1)->warnings.contains(lint_kind::leak_suspect)) << "the accept loop's site is flat";
  EXPECT_EQ(evaluate_lints(model, {}).leak_suspect_sites, std::vector<std::uint32_t>{1});
}

TEST(Lints, LeakSuspectIgnoresAStepAFlatCountBusyTasksAndSmallGrowth) {
  state flat = site_growing({0, 40, 40, 40});
  EXPECT_EQ(find(evaluate_lints(flat, {}).warnings, lint_kind::leak_suspect), nullptr)
      << "one step up then flat: a burst of connections";
  state busy = site_growing({10, 20, 30, 40}, /*idle=*/false);
  EXPECT_EQ(find(evaluate_lints(busy, {}).warnings, lint_kind::leak_suspect), nullptr) << "its tasks are working";
  state slow = site_growing({1, 2, 3, 4});
  EXPECT_EQ(find(evaluate_lints(slow, {}).warnings, lint_kind::leak_suspect), nullptr) << "grew by fewer than 10";
  EXPECT_NE(find(evaluate_lints(slow, {.leak_min_growth = 3}).warnings, lint_kind::leak_suspect), nullptr);
}

TEST(Lints, CompletedTasksCarryNoWarnings) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(100 * second, true)
                              .new_task({.id = 1, .state = asio_console::v1::TASK_STATE_COMPLETED,
                                         .longest_poll_ns = 10 * second, .finished_ns = 50 * second})
                              .build())
                  .ok());
  EXPECT_TRUE(evaluate_lints(model, {}).warnings.empty());
}

TEST(Lints, AnIdleTaskIsFlaggedWhenItCrossesTheThresholdWithNoUpdateAboutIt) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(10 * second, true).new_task({.id = 1, .last_poll_end_ns = 5 * second}).build()).ok());
  EXPECT_EQ(find(model.lints().warnings, lint_kind::idle_too_long), nullptr);
  const std::uint64_t version = model.version();
  ASSERT_TRUE(model.apply(updates.publication(35 * second).build()).ok());
  EXPECT_EQ(find(model.lints().warnings, lint_kind::idle_too_long), nullptr) << "30s idle: not more than 30s";
  EXPECT_EQ(model.version(), version) << "only the time moved: nothing for the views to list again";
  ASSERT_TRUE(model.apply(updates.publication(36 * second).build()).ok());
  const warning_summary* idle = find(model.lints().warnings, lint_kind::idle_too_long);
  ASSERT_NE(idle, nullptr) << "no update about the task, yet it crossed the threshold";
  EXPECT_EQ(idle->task_ids, std::vector<std::uint64_t>{1});
  EXPECT_TRUE(model.find_task(1)->warnings.contains(lint_kind::idle_too_long));
  EXPECT_NE(model.version(), version);
}

// The model evaluates again only what changed (tasks, sites, an idle task crossing a threshold):
// after every publication, its verdicts, its counts and every task's warnings are those a full
// evaluation finds.
TEST(Lints, TheModelKeepsTheVerdictsOfAFullEvaluationAsTasksChangeAndTimePasses) {
  for (const std::uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    state model({.retain_completed = seed == 3 ? std::optional(absl::Seconds(30)) : std::nullopt,
                 .thresholds = {.idle_too_long = absl::Seconds(40)}});
    int leaking = 0;
    int publication = 0;
    for (const v1::Update& update : random_publications(seed, 150)) {
      SCOPED_TRACE(publication++);
      ASSERT_TRUE(model.apply(update).ok());
      const lint_results full = evaluate_lints(model, model.options().thresholds);
      ASSERT_EQ(model.lints().leak_suspect_sites, full.leak_suspect_sites);
      ASSERT_EQ(model.lints().warnings.size(), full.warnings.size());
      for (std::size_t i = 0; i < full.warnings.size(); ++i) {
        EXPECT_EQ(model.lints().warnings[i].lint, full.warnings[i].lint);
        EXPECT_EQ(model.lints().warnings[i].task_ids, full.warnings[i].task_ids);
        EXPECT_EQ(model.lints().warnings[i].message, full.warnings[i].message);
      }
      std::array<std::uint64_t, 4> by_state{};
      std::map<std::uint32_t, std::pair<std::uint64_t, std::uint64_t>> live_and_idle;
      for (const auto& [id, t] : model.tasks()) {
        lint_set expected;
        for (const warning_summary& w : full.warnings) {
          if (std::binary_search(w.task_ids.begin(), w.task_ids.end(), id)) expected.insert(w.lint);
        }
        ASSERT_TRUE(t.warnings == expected) << "task " << id;
        ++by_state[static_cast<std::size_t>(t.stats.state)];
        if (!t.completed()) {
          ++live_and_idle[t.site_id].first;
          if (t.stats.state == task_state::idle) ++live_and_idle[t.site_id].second;
        }
      }
      ASSERT_EQ(model.tasks_by_state(), by_state);
      for (const auto& [id, s] : model.sites()) {
        ASSERT_EQ(s.known_live, live_and_idle[id].first) << "site " << id;
        ASSERT_EQ(s.known_idle, live_and_idle[id].second) << "site " << id;
      }
      if (!full.leak_suspect_sites.empty()) ++leaking;
    }
    EXPECT_GT(leaking, 0) << "the growing site was flagged at some point";
  }
}

}  // namespace
