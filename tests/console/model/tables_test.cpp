// What the tasks and sites views list, in which order, and how numbers read.
#include <gtest/gtest.h>

#include "model/format.hpp"
#include "model/site_diagnosis.hpp"
#include "model/site_summary.hpp"
#include "model/task_table.hpp"
#include "support/random_publications.hpp"
#include "support/update_builder.hpp"

namespace {
using namespace asio_console::console;
using asio_console::testing::update_builder;
namespace v1 = asio_console::v1;
constexpr std::int64_t second = 1'000'000'000;

// With `then_site_2_grows`, a second publication adds a live task to site 2, which lints set to
// flag one interval of growth then call a leak suspect.
state three_tasks(bool then_site_2_grows = false) {
  update_builder updates;
  state model({.thresholds = {.leak_growth_intervals = 1, .leak_min_growth = 1}});
  updates.publication(100 * second, true)
      .site(1, "/src/net/server.cpp", 40, "void accept_loop()")
      .site(2, "/src/cache.cpp", 12, "cache::cache()")
      .new_task({.id = 1, .name = "accept", .site_id = 1, .created_ns = 0, .busy_ns = 5 * second, .polls = 9})
      .new_task({.id = 2, .name = "refresh", .fields = {{"shard", "7"}}, .site_id = 2, .stack_id = 4,
                 .created_ns = 50 * second, .polls = 1})
      .new_task({.id = 3, .name = "refresh", .site_id = 2, .stack_id = 4, .created_ns = 60 * second, .polls = 2})
      .site_stats(1, 1, 0)
      .site_stats(2, 5, 3);
  EXPECT_TRUE(model.apply(updates.build()).ok());
  if (then_site_2_grows) {
    EXPECT_TRUE(model.apply(updates.publication(101 * second).site_stats(2, 6, 3).build()).ok());
  }
  return model;
}

std::vector<std::uint64_t> ids(const std::vector<const task*>& tasks) {
  std::vector<std::uint64_t> out;
  for (const task* t : tasks) out.push_back(t->id);
  return out;
}

TEST(TaskTable, SortsByTheChosenColumnEitherWay) {
  const state model = three_tasks();
  EXPECT_EQ(ids(list_tasks(model, {task_column::total, true})), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(ids(list_tasks(model, {task_column::total, false})), (std::vector<std::uint64_t>{3, 2, 1}));
  EXPECT_EQ(ids(list_tasks(model, {task_column::polls, true})), (std::vector<std::uint64_t>{1, 3, 2}));
  EXPECT_EQ(ids(list_tasks(model, {task_column::busy, true})), (std::vector<std::uint64_t>{1, 2, 3})) << "ties by id";
  EXPECT_EQ(ids(list_tasks(model, {task_column::name, false})), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(ids(list_tasks(model, {task_column::location, false})), (std::vector<std::uint64_t>{1, 2, 3}))
      << "net/server.cpp before src/cache.cpp";
  EXPECT_EQ(ids(list_tasks(model, {task_column::location, true})), (std::vector<std::uint64_t>{2, 3, 1}));
  EXPECT_EQ(ids(list_tasks(model, {task_column::fields, true})), (std::vector<std::uint64_t>{2, 1, 3}));
}

TEST(TaskTable, FilterMatchesNameLocationFunctionAndFieldsIgnoringCase) {
  const state model = three_tasks();
  EXPECT_EQ(ids(list_tasks(model, {task_column::id, false}, "REFRESH")), (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(ids(list_tasks(model, {task_column::id, false}, "server.cpp:40")), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(ids(list_tasks(model, {task_column::id, false}, "accept_loop")), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(ids(list_tasks(model, {task_column::id, false}, "shard=7")), (std::vector<std::uint64_t>{2}));
  EXPECT_TRUE(list_tasks(model, {task_column::id, false}, "nothing like it").empty());
}

TEST(TaskTable, FilterMatchesWhereATaskWaits) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(100 * second, true)
                              .site(1, "/src/a.cpp", 1, "main")
                              .new_task({.id = 1, .await_stack_id = 2})
                              .new_task({.id = 2})
                              .build())
                  .ok());
  model.add_await_stack(2, {{"boost::asio::async_result<x>::initiate<boost::asio::basic_waitable_timer<c>::"
                             "initiate_async_wait>(y)", "", 0, true},
                            {"app::report_metrics_forever()", "/src/a.cpp", 41, true}});
  EXPECT_EQ(ids(list_tasks(model, {task_column::id, false}, "metrics_forever")), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(ids(list_tasks(model, {task_column::id, false}, "timer wait")), (std::vector<std::uint64_t>{1}));
}

TEST(SiteSummary, GroupsTasksBySiteWithCountsAndStacksByLive) {
  const state model = three_tasks(/*then_site_2_grows=*/true);
  const std::vector<site_summary> sites = summarize_sites(model);
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[0].where->id, 2u) << "most live first";
  EXPECT_EQ(sites[0].spawned, 6u);
  EXPECT_EQ(sites[0].live, 3u);
  EXPECT_EQ(sites[0].completed, 3u);
  EXPECT_EQ(sites[0].idle, 2u);
  EXPECT_TRUE(sites[0].leak_suspect) << "the model's lints flag it";
  EXPECT_FALSE(sites[1].leak_suspect);
  ASSERT_EQ(sites[0].stacks.size(), 1u);
  EXPECT_EQ(sites[0].stacks[0].stack_id, 4u);
  EXPECT_EQ(sites[0].stacks[0].count, 2u);
  EXPECT_EQ(sites[0].known, 2u);
  EXPECT_EQ(filter_sites(sites, "accept").size(), 1u);
}

TEST(SiteSummary, GroupsASitesIdleTasksByAwaitStack) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(100 * second, true)
                              .site(1, "/src/a.cpp", 1, "main")
                              .new_task({.id = 1, .await_stack_id = 7})
                              .new_task({.id = 2, .await_stack_id = 7})
                              .new_task({.id = 3, .await_stack_id = 8})
                              .new_task({.id = 4, .state = v1::TASK_STATE_SCHEDULED, .await_stack_id = 8})
                              .site_stats(1, 4, 0)
                              .build())
                  .ok());
  const std::vector<site_summary> sites = summarize_sites(model);
  ASSERT_EQ(sites[0].await_stacks.size(), 2u);
  EXPECT_EQ(sites[0].await_stacks[0].stack_id, 7u);
  EXPECT_EQ(sites[0].await_stacks[0].count, 2u);
  EXPECT_EQ(sites[0].await_stacks[1].count, 1u) << "over idle tasks only: the scheduled one is not counted";
}

TEST(SiteDiagnosis, ALeakReadsAsHowManyWaitWhereSpawnedByWhom) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(100 * second, true)
                              .site(1, "/src/app.cpp", 36, "void app::spawn(job)")
                              .new_task({.id = 1, .stack_id = 3, .await_stack_id = 7})
                              .new_task({.id = 2, .stack_id = 3, .await_stack_id = 7})
                              .site_stats(1, 2, 0)
                              .build())
                  .ok());
  model.add_stack(3, {{"void app::spawn(job)", "/src/app.cpp", 36}, {"app::reporter::reporter()", "/src/app.cpp", 53}});
  model.add_await_stack(7, {{"boost::asio::async_result<x>::initiate<boost::asio::basic_waitable_timer<c>::"
                             "initiate_async_wait>(y)", "", 0, true},
                            {"app::wait_for_backoff()", "/src/app.cpp", 20, true},
                            {"app::report_metrics_forever()", "/src/app.cpp", 41, true}});
  const std::vector<site_summary> sites = summarize_sites(model);
  EXPECT_EQ(diagnose_site(sites[0], model, frame_filter()),
            "2 idle tasks waiting in app::wait_for_backoff ← app::report_metrics_forever (timer wait), "
            "spawned by app::reporter::reporter");
}

TEST(Format, DurationsKeepThreeOrFourDigitsAndAFewColumns) {
  EXPECT_EQ(format_duration(850), "850ns");
  EXPECT_EQ(format_duration(12'340), "12.3µs");
  EXPECT_EQ(format_duration(1'200'000), "1.20ms");
  EXPECT_EQ(format_duration(3'510'000'000), "3.51s");
  EXPECT_EQ(format_duration(247 * second), "4m07s");
  EXPECT_EQ(format_duration(7380 * second), "2h03m");
  EXPECT_EQ(format_duration(273600 * second), "3d04h");
  EXPECT_EQ(format_duration(-5), "0ns");
}

TEST(Format, LocationsAndFunctionsAreShortened) {
  EXPECT_EQ(format_location({"/home/me/src/net/server.cpp", "f", 40, 0}), "net/server.cpp:40");
  EXPECT_EQ(short_function("void ns::cache::cache(int, std::vector<int> const&)"), "ns::cache::cache");
  EXPECT_EQ(short_function("std::pair<int, int> make(int)"), "make");
  EXPECT_EQ(short_function("ns::type::operator()(int) const"), "ns::type::operator()");
  EXPECT_EQ(short_function("app::handle[abi:cxx11](std::basic_string_view<char>)"), "app::handle");
  EXPECT_TRUE(contains_ignoring_case("Cache_Refresher", "refresher"));
}

// The tasks view follows each publication by moving only the tasks that changed: the rows are
// those a full listing finds, in every numeric order, with and without a filter.
TEST(TaskListing, FollowsEachPublicationAsAFullListingWould) {
  const std::vector<v1::Update> publications = asio_console::testing::random_publications(7, 120);
  const task_order orders[] = {{task_column::total, true}, {task_column::idle, false}, {task_column::busy, true},
                               {task_column::sched, true}, {task_column::polls, false}, {task_column::warn, true},
                               {task_column::name, false}};
  for (const task_order order : orders) {
    for (const std::string filter : {"", "cache"}) {
      SCOPED_TRACE(std::string(column_title(order.column)) + " /" + filter);
      state model;
      task_listing listing;
      int followed = 0;
      for (const v1::Update& update : publications) {
        const std::uint64_t before = model.version();
        ASSERT_TRUE(model.apply(update).ok());
        if (model.tasks_changed_since(before).has_value()) ++followed;
        listing.update(model, order, filter);
        const std::vector<const task*> full = list_tasks(model, order, filter);
        ASSERT_EQ(listing.ids(), ids(full));
        ASSERT_EQ(listing.rows(), full);
      }
      EXPECT_GT(followed, 60) << "most publications are followed change by change, not listed anew";
    }
  }
}

}  // namespace
