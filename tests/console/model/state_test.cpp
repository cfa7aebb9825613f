// The console's state built from recorded updates: snapshots, deltas, chunks, strings, retention.
#include "model/state.hpp"

#include <gtest/gtest.h>

#include "support/update_builder.hpp"

namespace {
using namespace asio_console::console;
using asio_console::testing::task_spec;
using asio_console::testing::update_builder;
namespace v1 = asio_console::v1;
constexpr std::int64_t second = 1'000'000'000;

// What the model asked its source for, of one kind.
template <typename Request>
std::vector<Request> requests_of(state& model) {
  std::vector<Request> found;
  for (request& r : model.take_requests()) {
    if (auto* wanted = std::get_if<Request>(&r)) found.push_back(std::move(*wanted));
  }
  return found;
}

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
  EXPECT_EQ(task->name(), "session");
  ASSERT_EQ(task->fields().size(), 1u);
  EXPECT_EQ(task->fields()[0].second, "10.0.0.1");
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

TEST(ConsoleState, UpdatesOverdueAreSaidOnlyPastThreeIntervalsAndNeverWhilePaused) {
  absl::Time now = absl::UnixEpoch() + absl::Hours(1);
  state_options options;
  options.clock = [&] { return now; };
  state model(options);
  update_builder updates;
  ASSERT_TRUE(model.apply(link_status{.current = link_status::phase::connected}).ok());
  EXPECT_FALSE(model.overdue_silence(now + absl::Minutes(1))) << "before the first snapshot nothing is late";
  ASSERT_TRUE(model.apply(updates.publication(10 * second, true).build()).ok());  // a 1 s publish interval
  EXPECT_FALSE(model.overdue_silence(now + absl::Seconds(3)));
  EXPECT_EQ(model.overdue_silence(now + absl::Seconds(12)), absl::Seconds(12));
  now += absl::Seconds(12);
  ASSERT_TRUE(model.apply(updates.publication(22 * second).build()).ok());
  EXPECT_FALSE(model.overdue_silence(now + absl::Seconds(1))) << "an update came: on time again";
  model.set_paused(true);
  EXPECT_FALSE(model.overdue_silence(now + absl::Minutes(5))) << "a paused console expects no update";
  model.set_paused(false);
  ASSERT_TRUE(model.apply(link_status{.current = link_status::phase::waiting_to_retry}).ok());
  EXPECT_FALSE(model.overdue_silence(now + absl::Minutes(5))) << "the link says why";
}

TEST(ConsoleState, TasksSpawnedWithTheSameNameAndFieldsShareOneCopyOfThem) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(second, true)
                              .new_task({.id = 1, .name = "session", .fields = {{"peer", "a"}}})
                              .new_task({.id = 2, .name = "session", .fields = {{"peer", "a"}}})
                              .new_task({.id = 3, .name = "session", .fields = {{"peer", "b"}}})
                              .new_task({.id = 4})
                              .build())
                  .ok());
  EXPECT_EQ(model.find_task(1)->labels, model.find_task(2)->labels);
  EXPECT_NE(model.find_task(1)->labels, model.find_task(3)->labels);
  EXPECT_EQ(model.find_task(3)->fields(), (std::vector<task_field>{{"peer", "b"}}));
  EXPECT_EQ(model.find_task(4)->name(), "");
  EXPECT_TRUE(model.find_task(4)->fields().empty());

  // The first task goes, then a snapshot sends the second again, then with other labels: what is
  // left reads as sent (under ASan, no copy is read after it was dropped).
  ASSERT_TRUE(model.apply(updates.publication(2 * second).removed(1).build()).ok());
  EXPECT_EQ(model.find_task(2)->name(), "session");
  ASSERT_TRUE(model.apply(updates.publication(3 * second, true)
                              .new_task({.id = 2, .name = "session", .fields = {{"peer", "a"}}})
                              .new_task({.id = 3, .name = "renamed"})
                              .new_task({.id = 4})
                              .build())
                  .ok());
  EXPECT_EQ(model.find_task(2)->fields(), (std::vector<task_field>{{"peer", "a"}}));
  EXPECT_EQ(model.find_task(3)->name(), "renamed");
  EXPECT_TRUE(model.find_task(3)->fields().empty());
  ASSERT_TRUE(model.apply(updates.publication(4 * second).removed(2).removed(3).build()).ok());
  EXPECT_EQ(model.find_task(2), nullptr);
  EXPECT_EQ(model.tasks().size(), 1u);
}

// The target reuses a string id once no task holds its string; this console may still hold such a
// task (its own retention), and an update may name a new task by the id before it removes the old.
TEST(ConsoleState, AStringIdTheTargetReusesNamesTheNewTaskByItsNewText) {
  update_builder updates;
  state model(state_options{.retain_completed = absl::Minutes(5)});
  ASSERT_TRUE(model.apply(updates.publication(second, true)
                              .new_task({.id = 1, .name = "old", .state = v1::TASK_STATE_COMPLETED, .finished_ns = second})
                              .build())
                  .ok());
  const std::uint32_t reused = updates.build().new_tasks(0).name();  // the id "old" was sent with
  ASSERT_NE(reused, 0u);
  v1::Update next = updates.publication(2 * second).new_task({.id = 2, .name = "placeholder"}).removed(1).build();
  v1::InternedString* redefined = next.add_new_strings();
  redefined->set_id(reused);
  redefined->set_value("fresh");
  next.mutable_new_tasks(0)->set_name(reused);
  ASSERT_TRUE(model.apply(next).ok());
  ASSERT_NE(model.find_task(1), nullptr) << "kept by the console's retention";
  EXPECT_EQ(model.find_task(1)->name(), "old");
  EXPECT_EQ(model.find_task(2)->name(), "fresh");
}

TEST(ConsoleState, AChunkedSnapshotIsReadyOnlyAfterItsLastChunk) {
  update_builder updates;
  state model;
  asio_console::v1::Update first = updates.publication(second, true).new_task({.id = 1, .name = "a"}).build();
  first.set_last_chunk(false);
  EXPECT_FALSE(model.publication_underway());
  ASSERT_TRUE(model.apply(first).ok());
  EXPECT_FALSE(model.ready());
  EXPECT_TRUE(model.publication_underway()) << "the terminal UI takes the rest before drawing";
  asio_console::v1::Update second_chunk = updates.publication(second).new_task({.id = 2, .name = "b"}).build();
  ASSERT_TRUE(model.apply(second_chunk).ok());
  EXPECT_TRUE(model.ready());
  EXPECT_FALSE(model.publication_underway());
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

TEST(ConsoleState, AStackManyTasksShareIsAskedForOnce) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(second, true)
                              .new_task({.id = 1, .stack_id = 3})
                              .new_task({.id = 2, .stack_id = 3})
                              .new_task({.id = 3, .stack_id = 0})
                              .build())
                  .ok());
  const auto asked = requests_of<symbolize_request>(model);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].spawn_ids, std::vector<std::uint32_t>{3});
  EXPECT_TRUE(asked[0].await_ids.empty());
  model.add_stack(3, {{"f()", "a.cpp", 1}});
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
  const auto asked = requests_of<symbolize_request>(model);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].spawn_ids, std::vector<std::uint32_t>{3});
  EXPECT_EQ(asked[0].await_ids, (std::vector<std::uint32_t>{3, 5})) << "await stack 3 is another stack";
  model.add_stack(3, {{"spawner()", "a.cpp", 1}});
  EXPECT_EQ(model.find_await_stack(3), nullptr);
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

// --- every message kind, and what the model asks for -------------------------------------------

v1::Update header(std::uint64_t watcher_id) {
  v1::Update update;
  update.set_protocol_version(1);
  update.set_watcher_id(watcher_id);
  update.set_last_chunk(true);
  return update;
}

TEST(ConsoleState, ANewStreamForgetsTheProcessButNotWhatTheUserAsked) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(stream_started{1}).ok());
  ASSERT_TRUE(model.apply(updates.publication(second, true).site(1, "a.cpp", 1, "f").new_task({.id = 1}).build()).ok());
  model.watch_details(1);
  model.take_requests();
  ASSERT_TRUE(model.apply(stream_started{2}).ok());
  EXPECT_FALSE(model.ready());
  EXPECT_TRUE(model.tasks().empty());
  EXPECT_TRUE(model.sites().empty()) << "another stream may be another process";
  EXPECT_EQ(model.watched_task(), 1u);
  const auto watches = requests_of<watch_details_request>(model);
  ASSERT_EQ(watches.size(), 1u) << "the old details stream went with the old stream";
  EXPECT_EQ(watches[0].task_id, 1u);
}

TEST(ConsoleState, DetailsAreKeptForTheWatchedTaskOnly) {
  state model;
  model.watch_details(4);
  EXPECT_EQ(requests_of<watch_details_request>(model).size(), 1u);
  model.watch_details(4);
  EXPECT_TRUE(model.take_requests().empty()) << "the same task: nothing to ask";
  v1::TaskDetails other;
  other.set_task_id(5);
  ASSERT_TRUE(model.apply(other).ok());
  EXPECT_EQ(model.details(), nullptr) << "sent before the user chose task 4";
  v1::TaskDetails wire;
  wire.set_task_id(4);
  wire.mutable_poll_times()->set_count(3);
  wire.mutable_poll_times()->set_p50_ns(2000);
  v1::HistogramBucket* bucket = wire.mutable_poll_times()->add_buckets();
  bucket->set_lower_ns(1000);
  bucket->set_upper_ns(4000);
  bucket->set_count(3);
  wire.set_note("histograms cover the polls since details were asked for");
  ASSERT_TRUE(model.apply(wire).ok());
  ASSERT_NE(model.details(), nullptr);
  EXPECT_EQ(model.details()->poll_times.count, 3u);
  EXPECT_EQ(model.details()->poll_times.p50_ns, 2000);
  ASSERT_EQ(model.details()->poll_times.buckets.size(), 1u);
  EXPECT_EQ(model.details()->poll_times.buckets[0].upper_ns, 4000);
  EXPECT_EQ(model.details()->note, wire.note());
  model.watch_details(0);
  EXPECT_EQ(model.details(), nullptr);
  EXPECT_EQ(requests_of<watch_details_request>(model).front().task_id, 0u);
}

TEST(ConsoleState, StacksAreAskedForOnceAtATimeAndStoredWhenTheAnswerComes) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(stream_started{1}).ok());
  ASSERT_TRUE(model.apply(updates.publication(second, true).new_task({.id = 1, .stack_id = 3, .await_stack_id = 5}).build()).ok());
  const auto asked = requests_of<symbolize_request>(model);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].stream, 1u);
  EXPECT_EQ(asked[0].spawn_ids, std::vector<std::uint32_t>{3});
  EXPECT_EQ(asked[0].await_ids, std::vector<std::uint32_t>{5});
  EXPECT_TRUE(model.symbolizing());

  // Another publication brings another stack: asked for once the first answer is in.
  ASSERT_TRUE(model.apply(updates.publication(2 * second).new_task({.id = 2, .stack_id = 4}).build()).ok());
  EXPECT_TRUE(requests_of<symbolize_request>(model).empty());
  EXPECT_EQ(model.find_stack(3), nullptr) << "the view says symbolizing… meanwhile";

  stacks_symbolized answer{1, {3}, {5}, {}, {}};
  v1::Stack* stack = answer.response.add_stacks();
  stack->set_id(3);
  stack->add_frames()->set_function("spawner()");
  v1::Stack* awaiting = answer.response.add_await_stacks();
  awaiting->set_id(5);
  v1::Frame* frame = awaiting->add_frames();
  frame->set_function("waiter()");
  frame->set_awaiting(true);
  ASSERT_TRUE(model.apply(answer).ok());
  ASSERT_NE(model.find_stack(3), nullptr);
  EXPECT_EQ(model.find_stack(3)->front().function, "spawner()");
  ASSERT_NE(model.find_await_stack(5), nullptr);
  EXPECT_TRUE(model.find_await_stack(5)->front().awaiting);
  const auto next = requests_of<symbolize_request>(model);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].spawn_ids, std::vector<std::uint32_t>{4});
}

TEST(ConsoleState, AFailedOrStaleSymbolizationIsAskedAgainAfterTheNextPublication) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(stream_started{1}).ok());
  ASSERT_TRUE(model.apply(updates.publication(second, true).new_task({.id = 1, .stack_id = 3}).build()).ok());
  ASSERT_EQ(requests_of<symbolize_request>(model).size(), 1u);
  ASSERT_TRUE(model.apply(stacks_symbolized{1, {3}, {}, {}, "no answer from 127.0.0.1:1 within 5s"}).ok());
  EXPECT_FALSE(model.symbolizing());
  EXPECT_EQ(model.symbolize_error(), "no answer from 127.0.0.1:1 within 5s");
  ASSERT_TRUE(model.apply(updates.publication(2 * second).build()).ok());
  ASSERT_EQ(requests_of<symbolize_request>(model).size(), 1u) << "asked again";

  // An answer about an earlier stream (maybe another process) is not this one's.
  ASSERT_TRUE(model.apply(stream_started{2}).ok());
  ASSERT_TRUE(model.apply(updates.publication(second, true).new_task({.id = 1, .stack_id = 3}).build()).ok());
  model.take_requests();
  stacks_symbolized stale{1, {3}, {}, {}, {}};
  stale.response.add_stacks()->set_id(3);
  ASSERT_TRUE(model.apply(stale).ok());
  EXPECT_EQ(model.find_stack(3), nullptr);
  EXPECT_TRUE(model.symbolizing()) << "stream 2's request is still unanswered";
}

TEST(ConsoleState, ABadMessageRestartsTheStreamAndAFreshSnapshotRecovers) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(stream_started{1}).ok());
  ASSERT_TRUE(model.apply(updates.publication(second, true).new_task({.id = 1, .name = "before"}).build()).ok());
  v1::Update bad = updates.publication(2 * second).changed({.id = 99}).build();  // never sent
  const absl::Status status = model.apply(bad);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(model.last_error().find("task 99"), std::string::npos) << model.last_error();
  EXPECT_FALSE(model.ready());
  const auto restarts = requests_of<restart_request>(model);
  ASSERT_EQ(restarts.size(), 1u);
  EXPECT_EQ(restarts[0].reason, model.last_error());
  // What is left of the broken stream is ignored, not another error each.
  EXPECT_TRUE(model.apply(updates.publication(3 * second).changed({.id = 1}).build()).ok());
  EXPECT_TRUE(model.take_requests().empty());
  EXPECT_FALSE(model.ready());

  update_builder fresh;
  ASSERT_TRUE(model.apply(stream_started{2}).ok());
  ASSERT_TRUE(model.apply(header(8)).ok());
  ASSERT_TRUE(model.apply(fresh.publication(4 * second, true).new_task({.id = 2, .name = "after"}).build()).ok());
  ASSERT_TRUE(model.ready());
  EXPECT_EQ(model.find_task(1), nullptr);
  ASSERT_NE(model.find_task(2), nullptr);
  EXPECT_EQ(model.find_task(2)->name(), "after");
}

TEST(ConsoleState, PauseAcrossAReconnectIsAskedAgainAndNeverClaimedUnconfirmed) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(stream_started{1}).ok());
  ASSERT_TRUE(model.apply(header(5)).ok());
  ASSERT_TRUE(model.apply(updates.publication(second, true).build()).ok());
  model.set_paused(true);
  auto pauses = requests_of<pause_request>(model);
  ASSERT_EQ(pauses.size(), 1u);
  EXPECT_EQ(pauses[0].watcher_id, 5u);
  EXPECT_FALSE(model.time().paused());
  ASSERT_TRUE(model.apply(pause_answered{5, true, ""}).ok());
  EXPECT_TRUE(model.time().paused());

  // The target restarts: a new stream, updates flow, the console is not paused until it asks again.
  updates = update_builder();
  ASSERT_TRUE(model.apply(stream_started{2}).ok());
  EXPECT_FALSE(model.time().paused());
  EXPECT_TRUE(requests_of<pause_request>(model).empty()) << "no watcher id on the new stream yet";
  ASSERT_TRUE(model.apply(header(1)).ok());
  EXPECT_TRUE(requests_of<pause_request>(model).empty()) << "held only once there is data to hold";
  ASSERT_TRUE(model.apply(updates.publication(second, true).new_task({.id = 1}).build()).ok());
  pauses = requests_of<pause_request>(model);
  ASSERT_EQ(pauses.size(), 1u);
  EXPECT_EQ(pauses[0].watcher_id, 1u) << "the new stream's watcher";
  EXPECT_FALSE(model.time().paused()) << "data flows until the target confirms";
  ASSERT_TRUE(model.apply(pause_answered{1, true, ""}).ok());
  EXPECT_TRUE(model.time().paused());
}

TEST(ConsoleState, TheLinkIsWhatTheSourceLastSaid) {
  state model;
  EXPECT_EQ(model.link().current, link_status::phase::connecting);
  ASSERT_TRUE(model.apply(link_status{link_status::phase::waiting_to_retry, "cannot connect to x", absl::Now(), 2}).ok());
  EXPECT_EQ(model.link().current, link_status::phase::waiting_to_retry);
  EXPECT_EQ(model.link().last_error, "cannot connect to x");
  EXPECT_EQ(model.link().attempts, 2);
}

TEST(ConsoleState, ChildrenAreIndexedAndFollowRemovals) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(second, true)
                              .new_task({.id = 1})
                              .new_task({.id = 3, .parent_id = 1})
                              .new_task({.id = 2, .parent_id = 1})
                              .new_task({.id = 4, .parent_id = 2})
                              .build())
                  .ok());
  EXPECT_EQ(std::vector<std::uint64_t>(model.children_of(1).begin(), model.children_of(1).end()),
            (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(model.children_of(2).size(), 1u);
  EXPECT_TRUE(model.children_of(4).empty());
  ASSERT_TRUE(model.apply(updates.publication(2 * second).removed(3).build()).ok());
  EXPECT_EQ(std::vector<std::uint64_t>(model.children_of(1).begin(), model.children_of(1).end()),
            (std::vector<std::uint64_t>{2}));
  ASSERT_TRUE(model.apply(updates.publication(3 * second, true).new_task({.id = 1}).build()).ok());
  EXPECT_TRUE(model.children_of(1).empty()) << "a snapshot replaces them";
}

TEST(ConsoleState, LintsRunOncePerPublicationAndMarkTheirTasks) {
  update_builder updates;
  state model({.thresholds = {.idle_too_long = absl::Seconds(5)}});
  ASSERT_TRUE(model.apply(updates.publication(10 * second, true).new_task({.id = 1, .last_poll_end_ns = 8 * second}).build()).ok());
  EXPECT_TRUE(model.lints().warnings.empty());
  EXPECT_TRUE(model.find_task(1)->warnings.empty());
  v1::Update partial = updates.publication(20 * second).build();
  partial.set_last_chunk(false);
  ASSERT_TRUE(model.apply(partial).ok());
  EXPECT_TRUE(model.lints().warnings.empty()) << "not before the publication is whole";
  ASSERT_TRUE(model.apply(updates.publication(20 * second).build()).ok());
  ASSERT_EQ(model.lints().warnings.size(), 1u);
  EXPECT_EQ(model.lints().warnings[0].lint, lint_kind::idle_too_long);
  EXPECT_EQ(model.lints().warnings[0].task_ids, std::vector<std::uint64_t>{1});
  EXPECT_TRUE(model.find_task(1)->warnings.contains(lint_kind::idle_too_long));
}

TEST(ConsoleState, ABatchEndsAsOneByOneWouldWithTheWorkOverEveryTaskDoneOnce) {
  // Five publications of a growing leak, with retention, a completed task and a stack to symbolize.
  update_builder updates;
  std::vector<message> batch;
  for (int t = 1; t <= 5; ++t) {
    updates.publication(t * second, t == 1);
    if (t == 1) updates.site(1, "/src/app.cpp", 10, "app::spawn").new_task({.id = 99, .stack_id = 6});
    if (t == 3) updates.new_task({.id = 98, .stack_id = 7});
    if (t == 2) updates.changed({.id = 99, .state = v1::TASK_STATE_COMPLETED, .finished_ns = 2 * second});
    for (int i = 0; i < 20; ++i) updates.new_task({.id = static_cast<std::uint64_t>(t * 100 + i), .name = "leak"});
    updates.site_stats(1, static_cast<std::uint64_t>(t * 20 + 1), t >= 2 ? 1 : 0);
    batch.push_back(message{updates.build()});
  }
  const state_options options{.retain_completed = absl::Seconds(1), .thresholds = {.leak_min_growth = 10}};
  state one_by_one(options);
  for (const message& m : batch) ASSERT_TRUE(one_by_one.apply(m).ok());
  state at_once(options);
  ASSERT_TRUE(at_once.apply_all(batch).ok());

  EXPECT_EQ(at_once.publications(), one_by_one.publications());
  EXPECT_EQ(at_once.tasks().size(), one_by_one.tasks().size());
  EXPECT_EQ(at_once.find_task(99), nullptr) << "retention ran";
  ASSERT_EQ(at_once.lints().warnings.size(), one_by_one.lints().warnings.size());
  ASSERT_FALSE(at_once.lints().warnings.empty());
  EXPECT_EQ(at_once.lints().warnings[0].lint, lint_kind::leak_suspect);
  EXPECT_EQ(at_once.lints().warnings[0].task_ids, one_by_one.lints().warnings[0].task_ids);
  EXPECT_EQ(at_once.find_site(1)->history.size(), one_by_one.find_site(1)->history.size());
  EXPECT_TRUE(at_once.symbolizing());
  const std::vector<request> asked = at_once.take_requests();
  ASSERT_EQ(asked.size(), 1u) << "one request for the batch";
  EXPECT_EQ(std::get<symbolize_request>(asked[0]).spawn_ids, std::vector<std::uint32_t>{7});
}

}  // namespace

namespace {

v1::Resource resource_of(std::uint64_t id, const char* kind, std::uint32_t pending, std::int64_t closed_ns = 0) {
  v1::Resource r;
  r.set_id(id);
  r.set_kind(kind);
  r.set_pending_ops(pending);
  r.set_ops_started(pending + 1);
  r.set_closed_ns(closed_ns);
  return r;
}

v1::PendingOperation operation_on(std::uint64_t object_id) {
  v1::PendingOperation op;
  op.set_operation("async_receive");
  op.set_object_kind("socket");
  op.set_object_id(object_id);
  return op;
}

TEST(ConsoleState, ResourcesAreUpdatedRemovedAndIndexedByTheTasksWaitingOnThem) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(10 * second, true)
                              .deep_mode()
                              .new_task({.id = 1, .pending_ops = {operation_on(5)}})
                              .new_task({.id = 2, .pending_ops = {operation_on(5), operation_on(6)}})
                              .resource(resource_of(5, "socket", 2))
                              .resource(resource_of(6, "channel", 1))
                              .build())
                  .ok());
  ASSERT_EQ(model.resources().size(), 2u);
  EXPECT_EQ(model.find_resource(5)->kind, "socket");
  EXPECT_EQ(model.tasks_waiting_on(5), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(model.tasks_waiting_on(6), (std::vector<std::uint64_t>{2}));
  EXPECT_TRUE(model.tasks_waiting_on(99).empty());
  EXPECT_EQ(model.deep_stats_of(2).pending_ops.size(), 2u);

  // The socket closes (its reads end); the channel is no longer kept.
  ASSERT_TRUE(model.apply(updates.publication(11 * second)
                              .deep_mode()
                              .changed({.id = 1})
                              .changed({.id = 2})
                              .resource(resource_of(5, "socket", 0, 11 * second))
                              .removed_resource(6)
                              .build())
                  .ok());
  ASSERT_NE(model.find_resource(5), nullptr);
  EXPECT_TRUE(model.find_resource(5)->closed());
  EXPECT_EQ(model.find_resource(6), nullptr);
  EXPECT_TRUE(model.tasks_waiting_on(5).empty());
  EXPECT_TRUE(model.deep_stats_of(1).empty());
  EXPECT_TRUE(model.deep_stats_of(2).empty());

  // A task that goes takes what it waited on with it.
  ASSERT_TRUE(model.apply(updates.publication(11 * second + 1).deep_mode().new_task({.id = 3, .pending_ops = {operation_on(5)}}).build()).ok());
  EXPECT_EQ(model.tasks_waiting_on(5), (std::vector<std::uint64_t>{3}));
  ASSERT_TRUE(model.apply(updates.publication(11 * second + 2).deep_mode().removed(3).build()).ok());
  EXPECT_TRUE(model.deep_stats_of(3).empty());
  EXPECT_TRUE(model.tasks_waiting_on(5).empty());

  // A snapshot replaces them all.
  ASSERT_TRUE(model.apply(updates.publication(12 * second, true).deep_mode().resource(resource_of(7, "acceptor", 1)).build()).ok());
  ASSERT_EQ(model.resources().size(), 1u);
  EXPECT_NE(model.find_resource(7), nullptr);
}

}  // namespace
