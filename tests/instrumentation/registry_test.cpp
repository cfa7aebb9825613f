// The registry keeps every task exactly once: spawned == live + retained + reclaimed, and finished
// tasks leave only as retention (time, count, watchers) allows.
#include <gtest/gtest.h>

#include <algorithm>
#include <asio_console/asio_console.hpp>
#include <thread>
#include <vector>

#include "support/asio.hpp"

namespace {
namespace asio = asio_console::testing::asio;
using namespace std::chrono_literals;
namespace instrumentation = asio_console::instrumentation;
using instrumentation::registry;
using instrumentation::task_outcome;

// Restores the registry's options and barrier when a test ends.
class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { saved_ = registry::instance().options(); }
  void TearDown() override {
    registry::instance().configure(saved_);
    registry::instance().set_reclaim_barrier(registry::no_barrier);
  }
  static void configure_retention(absl::Duration retention, std::size_t max_retained) {
    auto options = registry::instance().options();
    options.retention = retention;
    options.max_retained = max_retained;
    options.stacks = instrumentation::stack_sampling::off();
    registry::instance().configure(options);
  }
  static void expect_exact_accounting() {
    const auto counters = registry::instance().counters();
    EXPECT_EQ(counters.spawned, counters.live + counters.retained + counters.reclaimed)
        << "spawned " << counters.spawned << " live " << counters.live << " retained " << counters.retained
        << " reclaimed " << counters.reclaimed;
    EXPECT_EQ(counters.spawned, counters.finished + counters.live);
  }

  instrumentation::recorder_options saved_;
};

std::size_t visible_finished(std::uint32_t site_id) {
  std::size_t count = 0;
  for (const auto& task : instrumentation::take_snapshot().tasks) {
    if (task.site_id == site_id && task.state == instrumentation::task_state::completed) ++count;
  }
  return count;
}

instrumentation::task_handle spawn_here(std::source_location location = std::source_location::current()) {
  return registry::instance().spawn(location, nullptr);
}

TEST_F(RegistryTest, MillionSpawnsOnTwoThreadsAreAccountedExactly) {
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
  constexpr int spawns_per_thread = 100'000;  // sanitizers are ~20x slower; the race coverage is the same
#else
  constexpr int spawns_per_thread = 500'000;
#endif
  configure_retention(absl::Milliseconds(1), 10'000);
  const auto before = registry::instance().counters();
  auto spawn_and_run = [] {
    asio::io_context ctx(1);
    for (int batch = 0; batch < spawns_per_thread / 1000; ++batch) {
      for (int i = 0; i < 1000; ++i) {
        asio_console::co_spawn(ctx, []() -> asio::awaitable<void> { co_return; }, asio::detached);
      }
      ctx.restart();
      ctx.run();
    }
  };
  std::thread first(spawn_and_run), second(spawn_and_run);
  first.join();
  second.join();
  registry::instance().reclaim();
  const auto after = registry::instance().counters();
  EXPECT_EQ(after.spawned - before.spawned, 2u * spawns_per_thread);
  EXPECT_EQ(after.finished - before.finished, 2u * spawns_per_thread);
  expect_exact_accounting();
  EXPECT_LE(after.retained, 10'000u) << "retention by count";
  // Records are recycled, not allocated per spawn. A spawn that finds no free record and the reader
  // lock taken (the other thread reclaiming) allocates a chunk rather than wait: how often depends on
  // the build's speed (about 107,000 records for the million spawns at -O1, fewer at -O2).
  EXPECT_LT(after.records_allocated, std::max<std::uint64_t>(100'000, 2u * spawns_per_thread / 4))
      << "records are recycled, not allocated per spawn";
}

TEST_F(RegistryTest, FinishedTasksStayVisibleForTheRetentionWindow) {
  configure_retention(absl::Milliseconds(200), 1'000'000);
  const auto handle = spawn_here();
  const std::uint32_t site_id = handle.record->site_id;
  registry::instance().finish(handle, task_outcome::completed);
  EXPECT_EQ(visible_finished(site_id), 1u) << "just finished: retained";
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(visible_finished(site_id), 0u) << "retention passed: reclaimed";
  expect_exact_accounting();
}

TEST_F(RegistryTest, ARetentionOfCenturiesKeepsFinishedTasksInsteadOfOverflowing) {
  // 3,000,000 hours saturate int64 nanoseconds; finish time + retention used to wrap negative.
  configure_retention(absl::Hours(3'000'000), 1'000'000);
  const auto handle = spawn_here();
  const std::uint32_t site_id = handle.record->site_id;
  registry::instance().finish(handle, task_outcome::completed);
  registry::instance().reclaim();
  EXPECT_EQ(visible_finished(site_id), 1u) << "kept, as asked";
  configure_retention(absl::ZeroDuration(), 1'000'000);
  registry::instance().reclaim();
  EXPECT_EQ(visible_finished(site_id), 0u);
  expect_exact_accounting();
}

TEST_F(RegistryTest, CountBoundReclaimsTheOldestFirst) {
  configure_retention(absl::Hours(1), 5);
  registry::instance().reclaim();
  std::vector<std::uint64_t> ids;
  std::uint32_t site_id = 0;
  for (int i = 0; i < 20; ++i) {
    const auto handle = spawn_here();
    site_id = handle.record->site_id;
    ids.push_back(handle.record->id());
    registry::instance().finish(handle, task_outcome::completed);
  }
  registry::instance().reclaim();
  EXPECT_LE(registry::instance().counters().retained, 5u);
  std::vector<std::uint64_t> kept;
  for (const auto& task : instrumentation::take_snapshot().tasks) {
    if (task.site_id == site_id) kept.push_back(task.id);
  }
  EXPECT_EQ(kept, std::vector<std::uint64_t>(ids.end() - 5, ids.end())) << "the five newest, in order";
  expect_exact_accounting();
}

TEST_F(RegistryTest, FinishesOnFourThreadsWhileAReaderReclaimsAreEachReclaimedOnce) {
  // Finishes push their records lock-free while the reader takes them: none is lost, none taken twice
  // (a record freed twice would be handed to two tasks at once).
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
  constexpr int finishes_per_thread = 20'000;
#else
  constexpr int finishes_per_thread = 200'000;
#endif
  configure_retention(absl::ZeroDuration(), 1'000'000);
  registry::instance().reclaim();
  const auto before = registry::instance().counters();
  std::atomic<int> running{4};
  std::atomic<bool> handed_out_twice{false};
  auto spawn_and_finish = [&] {
    for (int i = 0; i < finishes_per_thread; ++i) {
      const auto handle = spawn_here();
      if (handle.live() == nullptr || handle.record->phase.load() != instrumentation::record_phase::live) {
        handed_out_twice = true;
      }
      registry::instance().finish(handle, task_outcome::completed);
    }
    running.fetch_sub(1);
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(spawn_and_finish);
  while (running.load() > 0) {
    registry::instance().reclaim();
    const auto counters = registry::instance().counters();
    EXPECT_EQ(counters.spawned, counters.live + counters.retained + counters.reclaimed);
    EXPECT_LE(counters.reclaimed, counters.finished);
  }
  for (std::thread& thread : threads) thread.join();
  registry::instance().reclaim();
  const auto after = registry::instance().counters();
  EXPECT_EQ(after.finished - before.finished, 4u * finishes_per_thread);
  EXPECT_EQ(after.reclaimed - before.reclaimed, 4u * finishes_per_thread) << "retention 0: every one reclaimed";
  EXPECT_EQ(after.retained, 0u);
  EXPECT_FALSE(handed_out_twice.load());
  expect_exact_accounting();
}

TEST_F(RegistryTest, BarrierKeepsFinishedTasksUntilWatchersSawThem) {
  configure_retention(absl::ZeroDuration(), 1'000'000);
  registry::instance().set_reclaim_barrier(registry::instance().last_finish_sequence());
  const auto handle = spawn_here();
  const std::uint32_t site_id = handle.record->site_id;
  registry::instance().finish(handle, task_outcome::completed);
  registry::instance().reclaim();
  EXPECT_EQ(visible_finished(site_id), 1u) << "not yet seen by every watcher: kept past retention";

  registry::instance().set_reclaim_barrier(registry::instance().last_finish_sequence());
  registry::instance().reclaim();
  EXPECT_EQ(visible_finished(site_id), 0u) << "seen: reclaimed";
  expect_exact_accounting();
}

TEST_F(RegistryTest, CountBoundOverridesTheBarrierAndCountsIt) {
  configure_retention(absl::ZeroDuration(), 2);
  registry::instance().reclaim();
  registry::instance().set_reclaim_barrier(registry::instance().last_finish_sequence());
  const auto forced_before = registry::instance().counters().forced_reclaims;
  for (int i = 0; i < 10; ++i) registry::instance().finish(spawn_here(), task_outcome::completed);
  registry::instance().reclaim();
  const auto counters = registry::instance().counters();
  EXPECT_LE(counters.retained, 2u) << "memory stays bounded even if a watcher never catches up";
  EXPECT_EQ(counters.forced_reclaims - forced_before, 8u);
  expect_exact_accounting();
}

TEST_F(RegistryTest, StaleHandleCannotFinishARecycledRecord) {
  configure_retention(absl::ZeroDuration(), 1'000'000);
  const auto first = spawn_here();
  registry::instance().finish(first, task_outcome::completed);
  registry::instance().finish(first, task_outcome::failed);  // second finish: ignored
  EXPECT_EQ(first.record->outcome.load(), task_outcome::completed);
  EXPECT_EQ(first.live(), nullptr);
  expect_exact_accounting();
}

}  // namespace
