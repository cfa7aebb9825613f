// The version-1 JSON format written for a known state, read back with Boost.JSON.
#include "dump/json_report.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

#include "support/update_builder.hpp"

namespace {
namespace json = boost::json;
using namespace asio_console::console;
namespace v1 = asio_console::v1;
using asio_console::testing::task_spec;
using asio_console::testing::update_builder;
constexpr std::int64_t second = 1'000'000'000;

TEST(JsonReport, WritesEveryContractFieldWithItsValue) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(100 * second, true)
                              .site(1, "/src/cache.cpp", 12, "cache::cache()")
                              .new_task({.id = 2, .parent_id = 1, .name = "refresh", .fields = {{"shard", "7"}},
                                         .site_id = 1, .stack_id = 4, .created_ns = 40 * second, .busy_ns = second,
                                         .scheduled_ns = second, .idle_ns = 58 * second,
                                         .last_poll_end_ns = 41 * second, .polls = 3, .wakes = 2, .pending_work = 0})
                              .site_stats(1, 3, 2)
                              .build())
                  .ok());
  model.add_stack(4, {{"cache::cache()", "/src/cache.cpp", 12}, {"handle(request)", "/src/server.cpp", 80}});
  std::ostringstream out;
  write_json_report(out, model);
  const json::object root = json::parse(out.str()).as_object();

  EXPECT_EQ(root.at("version"), 1);
  EXPECT_EQ(root.at("now_ns").to_number<std::int64_t>(), 100 * second);
  const json::object& task = root.at("tasks").as_array().at(0).as_object();
  EXPECT_EQ(task.at("id"), 2);
  EXPECT_EQ(task.at("parent_id"), 1);
  EXPECT_EQ(task.at("name"), "refresh");
  EXPECT_EQ(task.at("fields").as_object().at("shard"), "7");
  EXPECT_EQ(task.at("state"), "idle");
  EXPECT_EQ(task.at("location").as_object().at("file"), "/src/cache.cpp");
  EXPECT_EQ(task.at("location").as_object().at("line"), 12);
  EXPECT_EQ(task.at("location").as_object().at("function"), "cache::cache()");
  ASSERT_EQ(task.at("stack").as_array().size(), 2u);
  EXPECT_EQ(task.at("stack").as_array().at(1).as_object().at("function"), "handle(request)");
  EXPECT_EQ(task.at("total_ns").to_number<std::int64_t>(), 60 * second);
  EXPECT_EQ(task.at("busy_ns").to_number<std::int64_t>(), second);
  EXPECT_EQ(task.at("scheduled_ns").to_number<std::int64_t>(), second);
  EXPECT_EQ(task.at("idle_ns").to_number<std::int64_t>(), 58 * second);
  EXPECT_EQ(task.at("polls"), 3);
  EXPECT_EQ(task.at("wakes"), 2);
  EXPECT_EQ(task.at("warnings").as_array(), (json::array{"idle-too-long", "never-woken"}));

  const json::object& site = root.at("sites").as_array().at(0).as_object();
  EXPECT_EQ(site.at("spawned"), 3);
  EXPECT_EQ(site.at("live"), 1);
  EXPECT_EQ(site.at("idle"), 1);
  EXPECT_EQ(site.at("completed"), 2);
  EXPECT_TRUE(site.at("growth_per_min").is_number());
  EXPECT_EQ(site.at("stacks").as_array().at(0).as_object().at("count"), 1);
  EXPECT_EQ(site.at("stacks").as_array().at(0).as_object().at("frames").as_array().size(), 2u);

  const json::array& warning_array = root.at("warnings").as_array();
  ASSERT_EQ(warning_array.size(), 2u);
  EXPECT_EQ(warning_array.at(0).as_object().at("lint"), "idle-too-long");
  EXPECT_EQ(warning_array.at(0).as_object().at("count"), 1);
  EXPECT_EQ(warning_array.at(0).as_object().at("task_ids"), (json::array{2}));
  EXPECT_FALSE(warning_array.at(0).as_object().at("message").as_string().empty());
}

// Await stacks as the recorder sends them: Asio's initiation innermost, then the user's coroutines.
const std::vector<frame> timer_wait_stack = {
    {"boost::asio::async_result<boost::asio::use_awaitable_t<boost::asio::any_io_executor>, void "
     "(boost::system::error_code)>::initiate<boost::asio::basic_waitable_timer<std::chrono::_V2::steady_clock>::"
     "initiate_async_wait>(boost::asio::basic_waitable_timer<std::chrono::_V2::steady_clock>::initiate_async_wait, "
     "boost::asio::use_awaitable_t<boost::asio::any_io_executor>)",
     "/usr/include/boost/asio/impl/use_awaitable.hpp", 281, true},
    {"app::wait_for_backoff()", "/src/reporter.cpp", 20, true},
    {"app::report_metrics_forever()", "/src/reporter.cpp", 30, true}};

TEST(JsonReport, TasksSayWhereTheyWaitAndSitesGroupTheirIdleTasksByAwaitStack) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(100 * second, true)
                              .site(1, "/src/reporter.cpp", 12, "reporter::reporter()")
                              .new_task({.id = 1, .stack_id = 4, .await_stack_id = 7})
                              .new_task({.id = 2, .stack_id = 4, .await_stack_id = 7})
                              .new_task({.id = 3, .await_stack_id = 8})
                              .new_task({.id = 4, .state = v1::TASK_STATE_RUNNING})
                              .site_stats(1, 4, 0)
                              .build())
                  .ok());
  model.add_stack(4, {{"reporter::reporter()", "/src/reporter.cpp", 12, false},
                      {"app::build_context()", "/src/server.cpp", 40, false},
                      {"app::handle_connection()", "/src/server.cpp", 50, true}});
  model.add_await_stack(7, timer_wait_stack);
  model.add_await_stack(8, {{"app::drain()", "/src/reporter.cpp", 60, true}});
  std::ostringstream out;
  write_json_report(out, model);
  const json::object root = json::parse(out.str()).as_object();

  const json::array& tasks = root.at("tasks").as_array();
  const json::object& first = tasks.at(0).as_object();
  ASSERT_EQ(first.at("await_stack").as_array().size(), 3u);
  EXPECT_EQ(first.at("await_stack").as_array().at(1).as_object().at("function"), "app::wait_for_backoff()");
  EXPECT_EQ(first.at("await_stack").as_array().at(2).as_object().at("line"), 30);
  EXPECT_FALSE(first.at("await_stack").as_array().at(0).as_object().contains("awaiting"))
      << "every await frame is one; only spawn stacks mark theirs";
  EXPECT_EQ(first.at("wait_reason"), "timer wait");
  EXPECT_FALSE(first.at("stack").as_array().at(1).as_object().contains("awaiting"));
  EXPECT_EQ(first.at("stack").as_array().at(2).as_object().at("awaiting"), true)
      << "the spawn stack continues through a suspended coroutine";
  EXPECT_EQ(tasks.at(2).as_object().at("wait_reason"), "") << "the user's own coroutine: not known";
  EXPECT_TRUE(tasks.at(3).as_object().at("await_stack").as_array().empty()) << "a running task waits nowhere";

  const json::array& groups = root.at("sites").as_array().at(0).as_object().at("await_stacks").as_array();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups.at(0).as_object().at("count"), 2) << "by count, descending";
  EXPECT_EQ(groups.at(0).as_object().at("wait_reason"), "timer wait");
  EXPECT_EQ(groups.at(0).as_object().at("frames").as_array().size(), 3u);
  EXPECT_EQ(groups.at(1).as_object().at("count"), 1);
}

TEST(JsonReport, StringsAreEscapedRepeatedFieldKeysAppearOnceAndSharedStacksAreWrittenForEveryTask) {
  update_builder updates;
  state model;
  const std::string awkward = "say \"hi\"\\ \n\t\x01 caf\xc3\xa9";
  // As the model keeps application text: control characters escaped, the rest as it was.
  const std::string shown = R"(say "hi"\ \n\t\x01 caf)" "\xc3\xa9";
  ASSERT_TRUE(model.apply(updates.publication(100 * second, true)
                              .site(1, "/src/odd \"dir\"/a.cpp", 3, "f()")
                              .new_task({.id = 1, .name = awkward,
                                         .fields = {{"k", "first"}, {awkward, awkward}, {"k", "last"}},
                                         .stack_id = 4, .await_stack_id = 7})
                              .new_task({.id = 2, .stack_id = 4, .await_stack_id = 7})
                              .site_stats(1, 2, 0)
                              .build())
                  .ok());
  model.add_stack(4, {{"g(\"x\")", "/src/odd \"dir\"/a.cpp", 5, false}});
  model.add_await_stack(7, timer_wait_stack);
  std::ostringstream out;
  write_json_report(out, model);
  const json::object root = json::parse(out.str()).as_object();

  const json::array& tasks = root.at("tasks").as_array();
  const json::object& first = tasks.at(0).as_object();
  EXPECT_EQ(json::value_to<std::string>(first.at("name")), shown);
  const json::object& fields = first.at("fields").as_object();
  EXPECT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields.at("k"), "last") << "a JSON object has one value per key: the last given";
  EXPECT_EQ(json::value_to<std::string>(fields.at(shown)), shown);
  EXPECT_EQ(first.at("location").as_object().at("file"), "/src/odd \"dir\"/a.cpp");
  EXPECT_EQ(first.at("stack").as_array().at(0).as_object().at("function"), "g(\"x\")");
  const json::object& second = tasks.at(1).as_object();
  EXPECT_EQ(second.at("stack"), first.at("stack"));
  EXPECT_EQ(second.at("await_stack"), first.at("await_stack"));
  EXPECT_EQ(second.at("wait_reason"), "timer wait");
  EXPECT_EQ(second.at("location"), first.at("location"));
  EXPECT_EQ(second.at("fields").as_object().size(), 0u);
}

TEST(JsonReport, SpawnsThatRanUnrecordedAreCountedPerSiteAndInAll) {
  update_builder updates;
  state model;
  v1::Update update = updates.publication(second, true).site(1, "a.cpp", 1, "f").site_stats(1, 0, 0).build();
  update.mutable_site_stats(0)->set_unrecorded(3);
  update.mutable_counters()->set_unrecorded(3);
  ASSERT_TRUE(model.apply(update).ok());
  std::ostringstream out;
  write_json_report(out, model);
  const json::object root = json::parse(out.str()).as_object();
  EXPECT_EQ(root.at("unrecorded_spawns"), 3);
  EXPECT_EQ(root.at("sites").as_array().at(0).at("unrecorded"), 3);
}

TEST(JsonReport, DeepModeListsEachTasksPendingOperationsAndPlainModeNone) {
  v1::PendingOperation read;
  read.set_operation("async_receive");
  read.set_object_kind("socket");
  read.set_object_id(0xbeef);
  read.set_native_handle(12);
  read.set_since_ns(90 * second);
  v1::PendingOperation wait;
  wait.set_operation("async_wait");
  wait.set_object_kind("deadline_timer");
  wait.set_object_id(0xcafe);
  wait.set_since_ns(91 * second);
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(100 * second, true)
                              .deep_mode()
                              .new_task({.id = 1, .pending_ops = {read, wait}})
                              .new_task({.id = 2})
                              .build())
                  .ok());
  std::ostringstream out;
  write_json_report(out, model);
  const json::array tasks = json::parse(out.str()).at("tasks").as_array();
  const json::array& ops = tasks.at(0).at("pending_ops").as_array();
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].at("op"), "async_receive");
  EXPECT_EQ(ops[0].at("object_kind"), "socket");
  EXPECT_EQ(ops[0].at("object_id"), 0xbeef);
  EXPECT_EQ(ops[0].at("native_handle"), 12);
  EXPECT_EQ(ops[0].at("since_ns").to_number<std::int64_t>(), 90 * second);
  EXPECT_TRUE(ops[1].at("native_handle").is_null());
  EXPECT_TRUE(tasks.at(1).at("pending_ops").as_array().empty());
}

v1::Resource socket_resource(std::uint64_t id, int fd) {
  v1::Resource r;
  r.set_id(id);
  r.set_kind("socket");
  r.set_native_handle(fd);
  r.set_local("127.0.0.1:5000");
  r.set_remote("127.0.0.1:41000");
  r.set_ops_started(3);
  r.set_pending_ops(1);
  r.set_created_ns(10 * second);
  return r;
}

TEST(JsonReport, DeepModeListsTheResourcesWithTheTasksWaitingOnEach) {
  v1::PendingOperation read;
  read.set_operation("async_receive");
  read.set_object_kind("socket");
  read.set_object_id(7);
  read.set_native_handle(12);
  read.set_since_ns(90 * second);
  v1::Resource timer;
  timer.set_id(8);
  timer.set_kind("deadline_timer");
  timer.set_ops_started(5);
  timer.set_idle_since_ns(95 * second);
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(100 * second, true)
                              .deep_mode()
                              .new_task({.id = 1, .pending_ops = {read}})
                              .new_task({.id = 2, .pending_ops = {read}})
                              .new_task({.id = 3})
                              .resource(socket_resource(7, 12))
                              .resource(timer)
                              .build())
                  .ok());
  std::ostringstream out;
  write_json_report(out, model);
  const json::array resources = json::parse(out.str()).at("resources").as_array();
  ASSERT_EQ(resources.size(), 2u);
  const json::value& socket = resources[0];
  EXPECT_EQ(socket.at("id"), 7);
  EXPECT_EQ(socket.at("kind"), "socket");
  EXPECT_EQ(socket.at("native_handle"), 12);
  EXPECT_EQ(socket.at("local"), "127.0.0.1:5000");
  EXPECT_EQ(socket.at("remote"), "127.0.0.1:41000");
  EXPECT_EQ(socket.at("pending_ops"), 1);
  EXPECT_EQ(socket.at("ops_started"), 3);
  EXPECT_EQ(socket.at("task_ids"), (json::array{1, 2}));
  EXPECT_EQ(socket.at("closed"), false);
  const json::value& idle_timer = resources[1];
  EXPECT_TRUE(idle_timer.at("native_handle").is_null());
  EXPECT_TRUE(idle_timer.at("local").is_null());
  EXPECT_TRUE(idle_timer.at("remote").is_null());
  EXPECT_TRUE(idle_timer.at("task_ids").as_array().empty());
  EXPECT_EQ(idle_timer.at("idle_ns").to_number<std::int64_t>(), 5 * second);
}

TEST(JsonReport, WokenByNamesTheOperationAndItsResourceOrIsNull) {
  update_builder updates;
  state model;
  task_spec woken{.id = 1};
  woken.woken_by_operation = "async_wait";
  woken.woken_by_object = 8;
  ASSERT_TRUE(model.apply(updates.publication(second, true).deep_mode().new_task(woken).new_task({.id = 2}).build()).ok());
  std::ostringstream out;
  write_json_report(out, model);
  const json::array tasks = json::parse(out.str()).at("tasks").as_array();
  EXPECT_EQ(tasks.at(0).at("woken_by"), (json::object{{"op", "async_wait"}, {"object_id", 8}}));
  EXPECT_TRUE(tasks.at(1).at("woken_by").is_null());
}

TEST(JsonReport, PlainModeHasAnEmptyResourcesList) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(second, true).new_task({.id = 1}).build()).ok());
  std::ostringstream out;
  write_json_report(out, model);
  EXPECT_TRUE(json::parse(out.str()).at("resources").as_array().empty());
}

TEST(JsonReport, RootTasksHaveANullParentAndUnsampledOnesAnEmptyStack) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(second, true).site(1, "a.cpp", 1, "f").new_task({.id = 1}).build()).ok());
  std::ostringstream out;
  write_json_report(out, model);
  const json::value root = json::parse(out.str());
  const json::object& task = root.as_object().at("tasks").as_array().at(0).as_object();
  EXPECT_TRUE(task.at("parent_id").is_null());
  EXPECT_TRUE(task.at("stack").as_array().empty());
  EXPECT_TRUE(task.at("await_stack").as_array().empty());
  EXPECT_TRUE(task.at("fields").as_object().empty());
}

}  // namespace
