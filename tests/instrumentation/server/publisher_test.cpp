// The publisher remembers what each task record held at its last publication: a task seen for the
// first time is new, an unchanged one costs nothing on the wire, and a record that lost its task
// (reclaimed, or reused by another task) reports that task gone exactly once.
#include <gtest/gtest.h>

#include <algorithm>

#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <map>
#include <string>
#include <thread>

#include "publisher.hpp"

namespace {
namespace asio = boost::asio;
using asio_console::instrumentation::registry;
using asio_console::server_internal::publication;
using asio_console::server_internal::publisher;
using channel = asio::experimental::channel<void(boost::system::error_code)>;

// What a delta says, read from all its chunks.
struct delta_contents {
  std::map<std::uint64_t, std::string> new_tasks;  // id -> name
  std::vector<std::uint64_t> changed;
  std::vector<std::uint64_t> removed;
};

delta_contents read(const publication& p) {
  std::map<std::uint32_t, std::string> strings;
  delta_contents out;
  for (const auto& chunk : p.delta) {
    for (const auto& s : chunk->new_strings()) strings[s.id()] = s.value();
    for (const auto& task : chunk->new_tasks()) out.new_tasks[task.id()] = strings[task.name()];
    for (const auto& stats : chunk->changed_stats()) out.changed.push_back(stats.id());
    for (std::uint64_t id : chunk->removed_task_ids()) out.removed.push_back(id);
  }
  return out;
}

std::uint64_t id_named(const delta_contents& delta, const std::string& name) {
  for (const auto& [id, task_name] : delta.new_tasks) {
    if (task_name == name) return id;
  }
  ADD_FAILURE() << "no new task named " << name;
  return 0;
}

std::uint32_t record_index_of(std::uint64_t id) {
  std::uint32_t index = 0;
  registry::instance().visit_records([&](const auto& record) {
    if (record.id() == id) index = record.index;
  });
  return index;
}

asio::awaitable<void> park(channel& on) {
  boost::system::error_code ignored;
  co_await on.async_receive(asio::redirect_error(asio::use_awaitable, ignored));
}

TEST(Publisher, NewOnceUnchangedForFreeAndAReusedRecordsTaskIsGoneOnceAndTheNewOneNew) {
  auto options = registry::instance().options();
  const auto kept = options;
  options.retention = absl::ZeroDuration();
  registry::instance().configure(options);

  asio::io_context ctx;
  channel first(ctx), others(ctx);
  asio_console::co_spawn(ctx, park(first), asio::detached, {.name = "first"});
  asio_console::co_spawn(ctx, park(others), asio::detached, {.name = "second", .fields = {{"k", "v"}}});
  asio_console::co_spawn(ctx, park(others), asio::detached, {.name = "third"});
  ctx.poll();

  publisher pub(registry::instance(), 1u << 20, 1'000'000'000);
  const delta_contents everything = read(pub.publish(false, 0));
  const std::uint64_t first_id = id_named(everything, "first");
  ASSERT_NE(id_named(everything, "second"), 0u);
  ASSERT_NE(id_named(everything, "third"), 0u);

  const delta_contents unchanged = read(pub.publish(false, 0));
  EXPECT_TRUE(unchanged.new_tasks.empty());
  EXPECT_TRUE(unchanged.changed.empty());
  EXPECT_TRUE(unchanged.removed.empty());

  // The first task finishes and its record is reclaimed (retention 0) onto the shared free list; a
  // thread with an empty record cache takes it from there for the next spawn.
  const std::uint32_t first_index = record_index_of(first_id);
  first.close();
  ctx.poll();
  registry::instance().reclaim();
  std::thread([&] { asio_console::co_spawn(ctx, park(others), asio::detached, {.name = "fourth"}); }).join();
  ctx.poll();

  const delta_contents after = read(pub.publish(false, 0));
  const std::uint64_t fourth_id = id_named(after, "fourth");
  EXPECT_EQ(record_index_of(fourth_id), first_index) << "the test means a reused record";
  EXPECT_EQ(after.new_tasks.size(), 1u);
  EXPECT_EQ(after.removed, std::vector<std::uint64_t>{first_id});
  EXPECT_TRUE(after.changed.empty()) << "the other tasks did not change";

  const delta_contents settled = read(pub.publish(false, 0));
  EXPECT_TRUE(settled.new_tasks.empty());
  EXPECT_TRUE(settled.removed.empty()) << "a gone task is said once";

  others.close();
  ctx.run();
  registry::instance().reclaim();
  const delta_contents gone = read(pub.publish(false, 0));
  EXPECT_EQ(gone.removed.size(), 3u);
  registry::instance().configure(kept);
}

// When every watcher needs a snapshot (a first console after none), nobody takes the delta: the
// publisher tracks the tasks as always and writes nothing of them there.
TEST(Publisher, WithoutADeltaTheTasksAreTrackedButOnlyTheSnapshotCarriesThem) {
  asio::io_context ctx;
  channel parked(ctx);
  for (const char* name : {"one", "two", "three"}) asio_console::co_spawn(ctx, park(parked), asio::detached, {.name = name});
  ctx.poll();

  publisher pub(registry::instance(), 1u << 20, 1'000'000'000);
  const publication first = pub.publish(true, 0, /*with_delta=*/false);
  ASSERT_EQ(first.delta.size(), 1u);
  EXPECT_TRUE(first.delta[0]->last_chunk());
  EXPECT_EQ(first.delta[0]->new_tasks_size(), 0);
  EXPECT_EQ(first.delta[0]->new_strings_size(), 0);
  std::map<std::uint32_t, std::string> strings;
  std::vector<std::string> names;
  for (const auto& chunk : first.snapshot) {
    for (const auto& s : chunk->new_strings()) strings[s.id()] = s.value();
    for (const auto& task : chunk->new_tasks()) names.push_back(strings[task.name()]);
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"one", "three", "two"}));

  const delta_contents next = read(pub.publish(false, 0));
  EXPECT_TRUE(next.new_tasks.empty()) << "already tracked: a watcher took them in the snapshot";
  EXPECT_TRUE(next.changed.empty());

  parked.close();
  ctx.run();
  const delta_contents finished = read(pub.publish(false, 0));
  EXPECT_EQ(finished.changed.size(), 3u) << "and their end is said as for any task (kept: retention)";
  EXPECT_TRUE(finished.new_tasks.empty());
}

// A snapshot's tasks are made in the chunks that carry them: split under the size asked for, the
// first chunk the only one marked a snapshot, every string before the first task that names it.
TEST(Publisher, ASnapshotComesInChunksUnderTheLimitWithEveryTaskOnceAndEachStringBeforeItsUse) {
  asio::io_context ctx;
  channel parked(ctx);
  constexpr int tasks = 2000;
  for (int i = 0; i < tasks; ++i) {
    asio_console::co_spawn(ctx, park(parked), asio::detached,
                           {.name = "parked", .fields = {{"n", std::to_string(i % 7)}}});
  }
  ctx.poll();

  constexpr std::size_t max_bytes = 16 << 10;
  publisher pub(registry::instance(), max_bytes, 1'000'000'000);
  pub.publish(false, 0);  // the snapshot must carry what the deltas already defined too
  const publication p = pub.publish(true, 0);
  ASSERT_GT(p.snapshot.size(), 3u) << "the test means several chunks";
  std::map<std::uint32_t, std::string> strings;
  std::map<std::uint64_t, int> seen;
  int parked_tasks = 0;
  for (std::size_t i = 0; i < p.snapshot.size(); ++i) {
    const asio_console::v1::Update& chunk = *p.snapshot[i];
    EXPECT_LE(chunk.ByteSizeLong(), max_bytes) << "chunk " << i;
    EXPECT_EQ(chunk.snapshot(), i == 0);
    EXPECT_EQ(chunk.last_chunk(), i + 1 == p.snapshot.size());
    for (const auto& s : chunk.new_strings()) strings[s.id()] = s.value();
    for (const auto& task : chunk.new_tasks()) {
      ++seen[task.id()];
      ASSERT_TRUE(strings.contains(task.name())) << "task " << task.id() << " names a string not sent yet";
      if (strings[task.name()] != "parked") continue;
      ++parked_tasks;
      ASSERT_EQ(task.fields_size(), 1);
      ASSERT_TRUE(strings.contains(task.fields(0).key()));
      ASSERT_TRUE(strings.contains(task.fields(0).value()));
      EXPECT_EQ(strings[task.fields(0).key()], "n");
    }
  }
  EXPECT_EQ(parked_tasks, tasks);
  for (const auto& [id, times] : seen) EXPECT_EQ(times, 1) << "task " << id;

  parked.close();
  ctx.run();
}

}  // namespace
