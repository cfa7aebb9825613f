// The console's state built from recorded updates: snapshots, deltas, chunks, strings, retention.
#include "model/state.hpp"

#include <gtest/gtest.h>

#include "support/update_builder.hpp"

namespace {
using asio_console::console::state;
using asio_console::console::state_options;
using asio_console::console::task_state;
using asio_console::testing::task_spec;
using asio_console::testing::update_builder;
namespace v1 = asio_console::v1;
constexpr std::int64_t second = 1'000'000'000;

TEST(ConsoleState, SnapshotThenDeltaGivesEveryTaskWithResolvedStrings) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(10 * second, true)
                              .site(1, "/src/server.cpp", 42, "void serve()")
                              .new_task({.id = 7, .name = "session", .fields = {{"peer", "10.0.0.1"}}, .created_ns = 5 * second})
                              .site_stats(1, 1, 0)
                              .build())
                  .ok());
  ASSERT_TRUE(model.ready());
  const auto* task = model.find_task(7);
  ASSERT_NE(task, nullptr);
  EXPECT_EQ(task->name, "session");
  ASSERT_EQ(task->fields.size(), 1u);
  EXPECT_EQ(task->fields[0].second, "10.0.0.1");
  EXPECT_EQ(model.find_site(1)->location.file, "/src/server.cpp");
  EXPECT_EQ(model.find_site(1)->live(), 1u);

  ASSERT_TRUE(model.apply(updates.publication(11 * second)
                              .changed({.id = 7, .state = asio_console::v1::TASK_STATE_RUNNING, .polls = 2})
                              .build())
                  .ok());
  EXPECT_EQ(model.find_task(7)->stats.state, task_state::running);
  EXPECT_EQ(model.find_task(7)->stats.polls, 2u);
  EXPECT_EQ(model.publications(), 2u);
}

TEST(ConsoleState, AChunkedSnapshotIsReadyOnlyAfterItsLastChunk) {
  update_builder updates;
  state model;
  asio_console::v1::Update first = updates.publication(second, true).new_task({.id = 1, .name = "a"}).build();
  first.set_last_chunk(false);
  ASSERT_TRUE(model.apply(first).ok());
  EXPECT_FALSE(model.ready());
  asio_console::v1::Update second_chunk = updates.publication(second).new_task({.id = 2, .name = "b"}).build();
  ASSERT_TRUE(model.apply(second_chunk).ok());
  EXPECT_TRUE(model.ready());
  EXPECT_EQ(model.tasks().size(), 2u);
}

TEST(ConsoleState, AStreamHeaderCarriesTheWatcherIdAndIsNoPublication) {
  state model;
  asio_console::v1::Update header;
  header.set_protocol_version(1);
  header.set_watcher_id(12);
  header.set_last_chunk(true);
  ASSERT_TRUE(model.apply(header).ok());
  EXPECT_EQ(model.watcher_id(), 12u);
  EXPECT_FALSE(model.ready());
}

TEST(ConsoleState, AnotherProtocolVersionIsAnError) {
  update_builder updates;
  state model;
  asio_console::v1::Update update = updates.publication(second, true).build();
  update.set_protocol_version(2);
  const absl::Status status = model.apply(update);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::string(status.message()).find("protocol version 2"), std::string::npos) << status;
}

TEST(ConsoleState, AStringUsedBeforeItWasSentIsAnError) {
  update_builder updates;
  state model;
  asio_console::v1::Update update = updates.publication(second, true).new_task({.id = 1, .name = "x"}).build();
  update.clear_new_strings();
  EXPECT_FALSE(model.apply(update).ok());
  EXPECT_FALSE(model.ready()) << "the state starts over";
}

TEST(ConsoleState, ARemovedTaskLeavesUnlessTheConsoleRetainsCompletedTasks) {
  const auto run = [](state_options options) {
    update_builder updates;
    state model(options);
    EXPECT_TRUE(model.apply(updates.publication(second, true).new_task({.id = 1, .name = "done"}).build()).ok());
    EXPECT_TRUE(model.apply(updates.publication(2 * second)
                                .changed({.id = 1, .state = asio_console::v1::TASK_STATE_COMPLETED,
                                          .finished_ns = 2 * second})
                                .removed(1)
                                .build())
                    .ok());
    const bool kept_at_once = model.find_task(1) != nullptr;
    EXPECT_TRUE(model.apply(updates.publication(20 * second).build()).ok());
    return std::pair{kept_at_once, model.find_task(1) != nullptr};
  };
  EXPECT_EQ(run({}), std::pair(false, false)) << "as long as the process keeps it";
  EXPECT_EQ(run({.retain_completed = absl::Seconds(10)}), std::pair(true, false)) << "10 s after it finished";
}

TEST(ConsoleState, TimesGrowInTheStateTheTaskSitsIn) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(10 * second, true)
                              .new_task({.id = 1, .created_ns = 0, .busy_ns = second, .idle_ns = 9 * second,
                                         .last_poll_end_ns = 4 * second})
                              .build())
                  .ok());
  const auto& task = *model.find_task(1);
  EXPECT_EQ(task.total_ns(15 * second), 15 * second);
  EXPECT_EQ(task.idle_ns(15 * second), 14 * second) << "idle grows while idle";
  EXPECT_EQ(task.busy_ns(15 * second), second) << "busy does not";
  EXPECT_EQ(task.idle_for_ns(15 * second), 11 * second) << "since the end of its last poll";
}

TEST(ConsoleState, IdleIsWhatTheTotalLeavesEvenWhenTheTaskWasReadAfterThePublicationTime) {
  update_builder updates;
  state model;
  // Read 0.5 s after the publication's time (a long walk): its idle counts up to then.
  ASSERT_TRUE(model.apply(updates.publication(10 * second, true)
                              .new_task({.id = 1, .created_ns = 0, .busy_ns = second, .idle_ns = 9 * second + second / 2})
                              .build())
                  .ok());
  const auto& task = *model.find_task(1);
  EXPECT_EQ(task.total_ns(10 * second), 10 * second);
  EXPECT_EQ(task.idle_ns(10 * second), 9 * second) << "never above total - busy - scheduled";
  EXPECT_EQ(task.idle_ns(12 * second), 11 * second);
}

TEST(ConsoleState, EachPublicationAddsASampleToEverySitesHistoryWithinTheWindow) {
  update_builder updates;
  state model({.growth_window = absl::Seconds(3)});
  ASSERT_TRUE(model.apply(updates.publication(second, true).site(1, "a.cpp", 1, "f").site_stats(1, 1, 0).build()).ok());
  for (int i = 2; i <= 10; ++i) {
    ASSERT_TRUE(model.apply(updates.publication(i * second).site_stats(1, static_cast<std::uint64_t>(i), 0).build()).ok());
  }
  const auto& history = model.find_site(1)->history;
  ASSERT_FALSE(history.empty());
  EXPECT_LE(history.size(), 5u);
  EXPECT_EQ(history.back().live, 10u);
  EXPECT_NEAR(model.find_site(1)->growth_per_minute(), 60.0, 0.01);
}

TEST(ConsoleState, UnsymbolizedStacksAreListedUntilAdded) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(second, true)
                              .new_task({.id = 1, .stack_id = 3})
                              .new_task({.id = 2, .stack_id = 3})
                              .new_task({.id = 3, .stack_id = 0})
                              .build())
                  .ok());
  EXPECT_EQ(model.unsymbolized_stacks(), std::vector<std::uint32_t>{3});
  model.add_stack(3, {{"f()", "a.cpp", 1}});
  EXPECT_TRUE(model.unsymbolized_stacks().empty());
  ASSERT_NE(model.find_stack(3), nullptr);
}

TEST(ConsoleState, AwaitStacksFollowEachTaskAndAreSymbolizedInTheirOwnIdSpace) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(second, true)
                              .new_task({.id = 1, .stack_id = 3, .await_stack_id = 3})
                              .new_task({.id = 2, .await_stack_id = 5})
                              .build())
                  .ok());
  EXPECT_EQ(model.find_task(1)->stats.await_stack_id, 3u);
  EXPECT_EQ(model.unsymbolized_await_stacks(), (std::vector<std::uint32_t>{3, 5}));
  model.add_stack(3, {{"spawner()", "a.cpp", 1}});
  EXPECT_EQ(model.unsymbolized_await_stacks(), (std::vector<std::uint32_t>{3, 5})) << "spawn stack 3 is another stack";
  model.add_await_stack(3, {{"waiter()", "a.cpp", 2, true}});
  EXPECT_EQ(model.find_await_stack(3)->front().function, "waiter()");
  EXPECT_EQ(model.find_stack(3)->front().function, "spawner()");

  // It suspends elsewhere, then runs: its await stack follows.
  ASSERT_TRUE(model.apply(updates.publication(2 * second).changed({.id = 1, .polls = 2, .await_stack_id = 9}).build()).ok());
  EXPECT_EQ(model.find_task(1)->stats.await_stack_id, 9u);
  ASSERT_TRUE(model.apply(updates.publication(3 * second)
                              .changed({.id = 1, .state = v1::TASK_STATE_RUNNING, .polls = 3})
                              .build())
                  .ok());
  EXPECT_EQ(model.find_task(1)->stats.await_stack_id, 0u);
}

}  // namespace
