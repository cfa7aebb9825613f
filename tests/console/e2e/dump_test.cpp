// `asio-console dump` against a real instrumented process: the JSON format field by field, the
// lints on the tasks built to trigger them, and the text form.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>
#include <thread>

#include "support/process.hpp"
#include "support/tmux_session.hpp"

namespace {
namespace json = boost::json;
using namespace std::chrono_literals;
using asio_console::testing::console_binary;
using asio_console::testing::run_command;
using asio_console::testing::start_sample_target;

const json::object* task_named(const json::array& tasks, std::string_view name) {
  for (const json::value& t : tasks) {
    if (t.as_object().at("name").as_string() == name) return &t.as_object();
  }
  return nullptr;
}

std::set<std::int64_t> warning_ids(const json::object& root, std::string_view lint) {
  std::set<std::int64_t> ids;
  for (const json::value& w : root.at("warnings").as_array()) {
    if (w.as_object().at("lint").as_string() != lint) continue;
    for (const json::value& id : w.as_object().at("task_ids").as_array()) ids.insert(id.to_number<std::int64_t>());
  }
  return ids;
}

bool any_frame_mentions(const json::array& frames, std::string_view text) {
  return std::any_of(frames.begin(), frames.end(), [&](const json::value& f) {
    return std::string_view(f.as_object().at("function").as_string()).find(text) != std::string_view::npos;
  });
}

class DumpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    target_ = new asio_console::testing::started_target(start_sample_target({"--leak_every=20ms"}));
    std::this_thread::sleep_for(1500ms);  // the forgotten task idles past the 500ms thresholds below
    const auto result = run_command({console_binary(), "dump", target_->address, "--json", "--idle-too-long=500ms",
                                     "--never-woken-after=500ms"},
                                    30s);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    root_ = new json::object(json::parse(result.out).as_object());
  }
  static void TearDownTestSuite() {
    delete root_;
    delete target_;
  }
  static const json::object& root() { return *root_; }

  static inline asio_console::testing::started_target* target_ = nullptr;
  static inline json::object* root_ = nullptr;
};

TEST_F(DumpTest, JsonHasTheVersionOneEnvelope) {
  EXPECT_EQ(root().at("version").to_number<int>(), 1);
  EXPECT_GT(root().at("now_ns").to_number<std::int64_t>(), 0);
  EXPECT_TRUE(root().at("tasks").is_array());
  EXPECT_TRUE(root().at("sites").is_array());
  EXPECT_TRUE(root().at("warnings").is_array());
}

TEST_F(DumpTest, CapabilitiesSayAwaitStacksAreRecordedOnACheckedAsio) {
  const json::object& capabilities = root().at("capabilities").as_object();
  EXPECT_EQ(capabilities.at("await_stacks"), true);
  EXPECT_EQ(capabilities.at("reason"), "");
}

TEST_F(DumpTest, EveryTaskHasEveryFieldWithItsType) {
  const json::array& tasks = root().at("tasks").as_array();
  ASSERT_GT(tasks.size(), 10u);
  const std::set<std::string> states = {"running", "scheduled", "idle", "completed"};
  std::int64_t previous_id = 0;
  for (const json::value& value : tasks) {
    const json::object& t = value.as_object();
    const std::int64_t id = t.at("id").to_number<std::int64_t>();
    EXPECT_GT(id, previous_id) << "tasks are listed by id";
    previous_id = id;
    EXPECT_TRUE(t.at("parent_id").is_null() || t.at("parent_id").to_number<std::int64_t>() > 0);
    EXPECT_TRUE(t.at("name").is_string());
    EXPECT_TRUE(t.at("fields").is_object());
    EXPECT_TRUE(states.contains(std::string(t.at("state").as_string()))) << t.at("state");
    const json::object& location = t.at("location").as_object();
    EXPECT_TRUE(std::string_view(location.at("file").as_string()).ends_with("sample_target.cpp"));
    EXPECT_GT(location.at("line").to_number<int>(), 0);
    EXPECT_TRUE(location.at("function").is_string());
    EXPECT_TRUE(t.at("stack").is_array());
    const std::int64_t total = t.at("total_ns").to_number<std::int64_t>();
    const std::int64_t parts = t.at("busy_ns").to_number<std::int64_t>() +
                               t.at("scheduled_ns").to_number<std::int64_t>() +
                               t.at("idle_ns").to_number<std::int64_t>();
    EXPECT_NEAR(static_cast<double>(parts), static_cast<double>(total), 50e6) << "busy + scheduled + idle = total";
    EXPECT_GE(t.at("polls").to_number<std::int64_t>(), t.at("wakes").to_number<std::int64_t>());
    EXPECT_TRUE(t.at("warnings").is_array());
  }
}

TEST_F(DumpTest, ParentsFieldsAndStacksAreReported) {
  const json::array& tasks = root().at("tasks").as_array();
  const json::object* parent = task_named(tasks, "parent");
  ASSERT_NE(parent, nullptr);
  EXPECT_TRUE(parent->at("parent_id").is_null()) << "spawned from main, outside any task";
  EXPECT_EQ(parent->at("fields").as_object().at("role").as_string(), "owner");
  EXPECT_EQ(parent->at("state").as_string(), "idle");
  int children = 0;
  for (const json::value& t : tasks) {
    if (!t.as_object().at("parent_id").is_null() &&
        t.as_object().at("parent_id") == parent->at("id")) {
      EXPECT_EQ(t.as_object().at("name").as_string(), "child");
      ++children;
    }
  }
  EXPECT_EQ(children, 3);
  const json::object* heartbeat = task_named(tasks, "heartbeat");
  ASSERT_NE(heartbeat, nullptr);
  const json::array& stack = heartbeat->at("stack").as_array();
  ASSERT_FALSE(stack.empty()) << "the first spawns of a site are sampled";
  EXPECT_TRUE(any_frame_mentions(stack, "main")) << json::serialize(stack);
  EXPECT_GT(heartbeat->at("polls").to_number<int>(), 5) << "it ticks every 50ms";
}

TEST_F(DumpTest, LintsMarkTheTasksBuiltToTriggerThem) {
  const json::array& tasks = root().at("tasks").as_array();
  const auto id_of = [&](std::string_view name) { return task_named(tasks, name)->at("id").to_number<std::int64_t>(); };
  EXPECT_TRUE(warning_ids(root(), "long-poll").contains(id_of("blocker")));
  EXPECT_TRUE(warning_ids(root(), "self-wakes").contains(id_of("yielder")));
  EXPECT_TRUE(warning_ids(root(), "never-woken").contains(id_of("forgotten")));
  EXPECT_FALSE(warning_ids(root(), "never-woken").contains(id_of("parent"))) << "its timer can wake it";
  EXPECT_TRUE(warning_ids(root(), "idle-too-long").contains(id_of("forgotten")));
  EXPECT_FALSE(warning_ids(root(), "idle-too-long").contains(id_of("heartbeat")));
  EXPECT_FALSE(warning_ids(root(), "long-poll").contains(id_of("heartbeat")));
  const std::set<std::int64_t> leaking = warning_ids(root(), "leak-suspect");
  EXPECT_GE(leaking.size(), 10u);
  for (const json::value& t : tasks) {
    const json::object& task = t.as_object();
    const std::int64_t id = task.at("id").to_number<std::int64_t>();
    if (leaking.contains(id)) {
      EXPECT_EQ(task.at("name").as_string(), "refresher");
    }
    // A task's own list agrees with the summary.
    for (const json::value& lint : task.at("warnings").as_array()) {
      EXPECT_TRUE(warning_ids(root(), lint.as_string()).contains(id)) << lint;
    }
  }
  for (const json::value& w : root().at("warnings").as_array()) {
    const json::object& warning = w.as_object();
    EXPECT_EQ(warning.at("count").to_number<std::size_t>(), warning.at("task_ids").as_array().size());
    EXPECT_FALSE(warning.at("message").as_string().empty());
  }
}

TEST_F(DumpTest, TheLeakIsTheTopSiteAndItsStackNamesTheConstructor) {
  const json::array& sites = root().at("sites").as_array();
  ASSERT_FALSE(sites.empty());
  std::int64_t previous_live = std::numeric_limits<std::int64_t>::max();
  for (const json::value& s : sites) {
    const std::int64_t live = s.as_object().at("live").to_number<std::int64_t>();
    EXPECT_LE(live, previous_live) << "sites by live, descending";
    previous_live = live;
    std::int64_t previous_count = std::numeric_limits<std::int64_t>::max();
    for (const json::value& stack : s.as_object().at("stacks").as_array()) {
      const std::int64_t count = stack.as_object().at("count").to_number<std::int64_t>();
      EXPECT_LE(count, previous_count) << "stacks by count, descending";
      previous_count = count;
    }
  }
  const json::object& top = sites.front().as_object();
  EXPECT_GE(top.at("live").to_number<int>(), 20);
  EXPECT_GE(top.at("idle").to_number<int>(), top.at("live").to_number<int>() - 5);
  EXPECT_EQ(top.at("spawned").to_number<int>(), top.at("live").to_number<int>() + top.at("completed").to_number<int>());
  EXPECT_GT(top.at("growth_per_min").to_number<double>(), 0);
  EXPECT_EQ(top.at("location").as_object().at("function").as_string().find("spawn") != json::string::npos, true)
      << "the location alone points at the application's spawn wrapper";
  const json::array& stacks = top.at("stacks").as_array();
  ASSERT_FALSE(stacks.empty());
  const json::array& frames = stacks.front().as_object().at("frames").as_array();
  EXPECT_TRUE(any_frame_mentions(frames, "cache_refresher")) << json::serialize(frames);
  EXPECT_TRUE(any_frame_mentions(frames, "handle_request")) << json::serialize(frames);
}

TEST_F(DumpTest, TextFormNamesTheLeakAndItsStack) {
  const auto result = run_command({console_binary(), "dump", target_->address}, 30s);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("leak-suspect"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("cache_refresher"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("heartbeat"), std::string::npos);
  EXPECT_TRUE(result.err.empty()) << result.err;
}

// A process built against an Asio newer than every checked one: its tasks are all there, with no
// await stacks, and the JSON, the text dump and the UI's title say why.
TEST(DumpOfAnUncheckedAsio, SaysAwaitStacksAreOffAndWhyInJsonTextAndTitle) {
  const asio_console::testing::started_target target =
      asio_console::testing::start_target(asio_console::testing::unchecked_asio_sample_target_binary());
  const std::string reason = "Boost.Asio 1.39.0 is newer than the newest checked (1.38.2)";
  std::this_thread::sleep_for(500ms);

  const auto json_dump = run_command({console_binary(), "dump", target.address, "--json"}, 30s);
  ASSERT_EQ(json_dump.exit_code, 0) << json_dump.err;
  const json::object root = json::parse(json_dump.out).as_object();
  EXPECT_EQ(root.at("capabilities").at("await_stacks"), false);
  EXPECT_EQ(std::string(root.at("capabilities").at("reason").as_string()), reason);
  const json::object* heartbeat = task_named(root.at("tasks").as_array(), "heartbeat");
  ASSERT_NE(heartbeat, nullptr) << "every task is recorded";
  EXPECT_EQ(heartbeat->at("state"), "idle");
  EXPECT_GT(heartbeat->at("polls").to_number<int>(), 0);
  EXPECT_TRUE(heartbeat->at("await_stack").as_array().empty());

  const auto text_dump = run_command({console_binary(), "dump", target.address}, 30s);
  ASSERT_EQ(text_dump.exit_code, 0) << text_dump.err;
  EXPECT_NE(text_dump.out.find("no await stacks: " + reason), std::string::npos) << text_dump.out;

  asio_console::testing::tmux_session console(console_binary() + " " + target.address, 220, 30);
  std::string screen;
  EXPECT_TRUE(console.wait_for_text("no await stacks: " + reason, &screen)) << screen;
  console.send({"q"});
}

}  // namespace
