// The live connection as a source of messages, against a scripted target on loopback: what it
// yields for each stream, and how it carries out each request.
#include "connection/live_connection.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "support/scripted_target.hpp"
#include "support/update_builder.hpp"

namespace {
using namespace asio_console::console;
using asio_console::testing::scripted_target;
using asio_console::testing::target_script;
using asio_console::testing::update_builder;
namespace v1 = asio_console::v1;
constexpr std::int64_t second = 1'000'000'000;

live_connection connect(const scripted_target& to, live_connection_options options = {}) {
  absl::StatusOr<target> where = parse_target(to.address());
  EXPECT_TRUE(where.ok());
  return live_connection(*where, options);
}

// Takes messages until the ones so far satisfy `enough`, for at most 10 s.
std::vector<message> collect(live_connection& from, const std::function<bool(const std::vector<message>&)>& enough) {
  std::vector<message> all;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!enough(all) && absl::Now() < deadline) {
    for (message& m : from.wait_messages(std::min(deadline, absl::Now() + absl::Milliseconds(100)))) {
      all.push_back(std::move(m));
    }
  }
  return all;
}

template <typename Kind>
std::vector<Kind> of_kind(const std::vector<message>& messages) {
  std::vector<Kind> found;
  for (const message& m : messages) {
    if (const auto* wanted = std::get_if<Kind>(&m)) found.push_back(*wanted);
  }
  return found;
}

template <typename Kind>
std::function<bool(const std::vector<message>&)> has(std::size_t count) {
  return [count](const std::vector<message>& all) { return of_kind<Kind>(all).size() >= count; };
}

std::vector<v1::Update> one_snapshot(int) {
  update_builder updates;
  return {updates.publication(second, true).new_task({.id = 1, .name = "only"}).build()};
}

TEST(LiveConnection, AStreamStartsWithItsNumberAndTheLinkThenItsUpdatesInOrder) {
  scripted_target target({.updates = [](int) {
    update_builder updates;
    return std::vector<v1::Update>{updates.publication(second, true).new_task({.id = 1}).build(),
                                   updates.publication(2 * second).build(), updates.publication(3 * second).build()};
  }});
  live_connection connection = connect(target);
  const std::vector<message> got = collect(connection, has<v1::Update>(3));
  ASSERT_GE(got.size(), 6u);
  ASSERT_TRUE(std::holds_alternative<link_status>(got[0]));
  EXPECT_EQ(std::get<link_status>(got[0]).current, link_status::phase::connecting);
  ASSERT_TRUE(std::holds_alternative<stream_started>(got[1]));
  EXPECT_EQ(std::get<stream_started>(got[1]).stream, 1u);
  ASSERT_TRUE(std::holds_alternative<link_status>(got[2]));
  EXPECT_EQ(std::get<link_status>(got[2]).current, link_status::phase::connected);
  const std::vector<v1::Update> updates = of_kind<v1::Update>(got);
  EXPECT_EQ(updates[0].now_ns(), second);
  EXPECT_EQ(updates[2].now_ns(), 3 * second);
}

TEST(LiveConnection, ARestartEndsTheStreamAndStartsAnotherAtOnceSayingWhy) {
  scripted_target target({.updates = one_snapshot});
  // A backoff far longer than the test: a restart must not wait for it.
  live_connection connection = connect(target, {.first_backoff = absl::Seconds(60)});
  ASSERT_EQ(of_kind<stream_started>(collect(connection, has<v1::Update>(1))).size(), 1u);
  connection.send(restart_request{"string id 9 used before it was sent"});
  const std::vector<message> got = collect(connection, has<stream_started>(1));
  const std::vector<stream_started> started = of_kind<stream_started>(got);
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].stream, 2u);
  EXPECT_EQ(target.streams_started(), 2);
  bool said_why = false;
  for (const link_status& link : of_kind<link_status>(got)) said_why |= link.last_error.find("string id 9") != std::string::npos;
  EXPECT_TRUE(said_why);
}

TEST(LiveConnection, SymbolizationIsSplitIntoCallsOfAtMostTheTargetsLimit) {
  scripted_target target({.updates = one_snapshot});
  live_connection connection = connect(target);
  symbolize_request asked{7, {}, {}};
  for (std::uint32_t id = 1; id <= max_stacks_per_request + 100; ++id) asked.spawn_ids.push_back(id);
  asked.await_ids = {5, 6};
  connection.send(asked);
  const std::vector<stacks_symbolized> answers = of_kind<stacks_symbolized>(collect(connection, has<stacks_symbolized>(2)));
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(target.symbolize_calls(), 2);
  EXPECT_EQ(answers[0].stream, 7u);
  EXPECT_EQ(answers[0].spawn_ids.size(), max_stacks_per_request);
  EXPECT_EQ(answers[0].response.stacks_size(), static_cast<int>(max_stacks_per_request));
  EXPECT_EQ(answers[1].spawn_ids.size(), 100u);
  EXPECT_EQ(answers[1].await_ids, (std::vector<std::uint32_t>{5, 6}));
  EXPECT_EQ(answers[1].response.await_stacks(0).frames(0).function(), "function_5()");
  EXPECT_TRUE(answers[1].error.empty());
}

TEST(LiveConnection, ASymbolizationPastTheTimeoutIsAnsweredWithAnError) {
  scripted_target target({.updates = one_snapshot, .symbolize_delay = std::chrono::milliseconds(3000)});
  live_connection connection = connect(target, {.timeout = absl::Milliseconds(300)});
  connection.send(symbolize_request{1, {3}, {}});
  const std::vector<stacks_symbolized> answers = of_kind<stacks_symbolized>(collect(connection, has<stacks_symbolized>(1)));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].spawn_ids, std::vector<std::uint32_t>{3});
  EXPECT_NE(answers[0].error.find("no answer"), std::string::npos) << answers[0].error;
}

TEST(LiveConnection, PauseIsAnsweredWithTheTargetsVerdict) {
  scripted_target target({.updates = one_snapshot});
  live_connection connection = connect(target);
  connection.send(pause_request{4, true});
  std::vector<pause_answered> answers = of_kind<pause_answered>(collect(connection, has<pause_answered>(1)));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].watcher_id, 4u);
  EXPECT_TRUE(answers[0].paused);
  EXPECT_TRUE(answers[0].error.empty()) << answers[0].error;
  EXPECT_EQ(target.paused_watchers(), std::vector<std::uint64_t>{4});

  scripted_target refusing({.updates = one_snapshot, .pause_answer = grpc::StatusCode::NOT_FOUND});
  live_connection refused = connect(refusing);
  refused.send(pause_request{4, true});
  answers = of_kind<pause_answered>(collect(refused, has<pause_answered>(1)));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_NE(answers[0].error.find("no such watcher"), std::string::npos) << answers[0].error;
}

TEST(LiveConnection, DetailsFollowTheWatchedTaskOnly) {
  scripted_target target({.updates = one_snapshot});
  live_connection connection = connect(target);
  connection.send(watch_details_request{7});
  ASSERT_FALSE(of_kind<v1::TaskDetails>(collect(connection, has<v1::TaskDetails>(1))).empty());
  connection.send(watch_details_request{8});
  collect(connection, has<v1::TaskDetails>(1));  // what was on its way for 7
  const std::vector<v1::TaskDetails> later = of_kind<v1::TaskDetails>(collect(connection, has<v1::TaskDetails>(3)));
  ASSERT_FALSE(later.empty());
  EXPECT_EQ(later.back().task_id(), 8u);
  connection.send(watch_details_request{0});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  connection.take_messages();  // what was on its way for 8
  EXPECT_TRUE(connection.wait_messages(absl::Now() + absl::Milliseconds(400)).empty()) << "none watched: none sent";
}

TEST(LiveConnection, WithoutReconnectingTheLinkClosesWhenTheStreamEnds) {
  scripted_target target({.updates = one_snapshot, .end_streams = true});
  live_connection connection = connect(target, {.reconnect = false});
  const auto closed = [](const std::vector<message>& all) {
    const std::vector<link_status> links = of_kind<link_status>(all);
    return !links.empty() && links.back().current == link_status::phase::closed;
  };
  const std::vector<message> got = collect(connection, closed);
  ASSERT_TRUE(closed(got));
  EXPECT_NE(of_kind<link_status>(got).back().last_error.find("ended the stream"), std::string::npos);
  EXPECT_EQ(of_kind<v1::Update>(got).size(), 1u);
  EXPECT_EQ(target.streams_started(), 1);
}

TEST(LiveConnection, ATakerThatFallsBehindStopsTheReaderInsteadOfGrowingTheQueue) {
  scripted_target target({.updates = [](int) {
    update_builder updates;
    std::vector<v1::Update> many{updates.publication(second, true).build()};
    for (int i = 2; i <= 200; ++i) many.push_back(updates.publication(i * second).build());
    return many;
  }});
  live_connection connection = connect(target, {.max_queued_updates = 8});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_LE(of_kind<v1::Update>(connection.take_messages()).size(), 8u);
  const std::vector<message> rest = collect(connection, has<v1::Update>(192));
  EXPECT_EQ(of_kind<v1::Update>(rest).size(), 192u) << "nothing lost: the reader went on once there was room";
}

TEST(LiveConnection, UpdatesWaitingToBeTakenHoldAtMostSoManyTasks) {
  scripted_target target({.updates = [](int) {
    update_builder updates;
    std::vector<v1::Update> chunks;
    for (int i = 0; i < 40; ++i) {
      updates.publication(second, i == 0);
      for (int t = 1; t <= 100; ++t) updates.new_task({.id = static_cast<std::uint64_t>(i * 100 + t)});
      v1::Update chunk = updates.build();
      chunk.set_last_chunk(i == 39);
      chunks.push_back(std::move(chunk));
    }
    return chunks;
  }});
  live_connection connection = connect(target, {.max_queued_tasks = 250});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::size_t first = of_kind<v1::Update>(connection.take_messages()).size();
  EXPECT_GE(first, 1u);
  EXPECT_LE(first, 3u) << "three chunks hold 300 tasks";
  const std::vector<message> rest = collect(connection, has<v1::Update>(40 - first));
  EXPECT_EQ(of_kind<v1::Update>(rest).size(), 40 - first) << "nothing lost: the reader went on once there was room";
}

}  // namespace
