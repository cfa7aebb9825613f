// `dump --stacks`: live tasks grouped by spawn site and where they wait, largest group first.
#include "dump/stacks_report.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "model/lints.hpp"
#include "support/update_builder.hpp"

namespace {
using namespace asio_console::console;
using asio_console::testing::update_builder;
namespace v1 = asio_console::v1;
constexpr std::int64_t second = 1'000'000'000;

std::string stacks_report(const state& model) {
  std::ostringstream out;
  write_stacks_report(out, "127.0.0.1:6669", model, frame_filter());
  return out.str();
}

TEST(StacksReport, GroupsLiveTasksBySiteAndAwaitStackWithIdleTimesAndTheTopSpawnStack) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(300 * second, true)
                              .site(1, "/src/app.cpp", 36, "app::spawn()")
                              .site(2, "/src/main.cpp", 10, "main")
                              // three tasks of site 1 idle on a timer, for 240 s, 200 s and 100 s
                              .new_task({.id = 1, .stack_id = 5, .last_poll_end_ns = 60 * second, .await_stack_id = 7})
                              .new_task({.id = 2, .stack_id = 5, .last_poll_end_ns = 100 * second, .await_stack_id = 7})
                              .new_task({.id = 3, .last_poll_end_ns = 200 * second, .await_stack_id = 7})
                              // one of site 1 waiting elsewhere, one of site 2, one completed
                              .new_task({.id = 4, .last_poll_end_ns = 290 * second, .await_stack_id = 8})
                              .new_task({.id = 5, .name = "listener", .site_id = 2, .last_poll_end_ns = 299 * second,
                                         .await_stack_id = 9})
                              .new_task({.id = 6, .state = v1::TASK_STATE_COMPLETED, .finished_ns = 10 * second})
                              .build())
                  .ok());
  model.add_stack(5, {{"app::spawn()", "/src/app.cpp", 36}, {"app::reporter::reporter()", "/src/app.cpp", 53},
                      {"app::handle_connection()", "/src/app.cpp", 80, true}});
  model.add_await_stack(7, {{"boost::asio::async_result<x>::initiate<boost::asio::basic_waitable_timer<c>::"
                             "initiate_async_wait>(y)",
                             "/usr/include/boost/asio/impl/use_awaitable.hpp", 281, true},
                            {"app::report_metrics_forever()", "/src/app.cpp", 41, true}});
  model.add_await_stack(8, {{"app::drain()", "/src/app.cpp", 60, true}});
  model.add_await_stack(9, {{"boost::asio::async_result<x>::initiate<boost::asio::basic_socket_acceptor<t>::"
                             "initiate_async_move_accept>(y)",
                             "/usr/include/boost/asio/impl/use_awaitable.hpp", 281, true},
                            {"app::listen()", "/src/app.cpp", 94, true}});
  const std::string report = stacks_report(model);

  EXPECT_NE(report.find("5 live tasks in 3 groups"), std::string::npos) << report;
  const std::size_t biggest = report.find("3 tasks [idle, timer wait, idle 4m00s to 1m40s]");
  ASSERT_NE(biggest, std::string::npos) << report;
  EXPECT_NE(report.find("spawned at src/app.cpp:36", biggest), std::string::npos) << report;
  const std::size_t waiting = report.find("app::report_metrics_forever  src/app.cpp:41", biggest);
  const std::size_t spawned = report.find("spawned by (2 of 2 sampled)", biggest);
  ASSERT_NE(waiting, std::string::npos) << report;
  ASSERT_NE(spawned, std::string::npos) << report;
  EXPECT_LT(waiting, spawned) << "the await stack comes first, then the spawn stack";
  EXPECT_NE(report.find("app::reporter::reporter", spawned), std::string::npos) << report;
  EXPECT_EQ(report.find("use_awaitable.hpp"), std::string::npos) << "library frames are left out";

  const std::size_t listener = report.find("1 task [idle, accept, idle 1.00s]");
  ASSERT_NE(listener, std::string::npos) << report;
  EXPECT_NE(report.find("task 5 \"listener\"", listener), std::string::npos) << report;
  EXPECT_GT(listener, biggest) << "larger groups first";
  EXPECT_NE(report.find("1 task [idle, idle 10.0s]"), std::string::npos) << "no wait reason when unknown\n" << report;
  EXPECT_EQ(report.find("task 6"), std::string::npos) << "completed tasks are not live";
}

TEST(StacksReport, SaysWhenAGroupIsNotSuspendedInItsOwnCoroutines) {
  update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(10 * second, true)
                              .site(1, "/src/app.cpp", 36, "app::spawn()")
                              .new_task({.id = 1, .state = v1::TASK_STATE_RUNNING})
                              .new_task({.id = 2, .await_stack_id = 3})
                              .build())
                  .ok());
  const std::string report = stacks_report(model);
  EXPECT_NE(report.find("1 task [running]"), std::string::npos) << report;
  EXPECT_NE(report.find("(not suspended in a coroutine of its own)"), std::string::npos) << report;
  EXPECT_NE(report.find("(await stack not symbolized)"), std::string::npos) << report;
}

}  // namespace
