// Which frames of a spawn stack are displayed, and how stacks that look the same are merged.
#include "model/frame_filter.hpp"

#include <gtest/gtest.h>

#include "support/update_builder.hpp"

namespace {
using namespace asio_console::console;

std::vector<std::string> names(const std::vector<const frame*>& frames) {
  std::vector<std::string> out;
  for (const frame* f : frames) out.push_back(f->function);
  return out;
}

const std::vector<frame> leak_stack = {
    {"void app::spawn(boost::asio::any_io_executor)", "app.cpp", 37},
    {"app::metrics_reporter::metrics_reporter()", "app.cpp", 55},
    {"app::handle(request const&)", "app.cpp", 76},
    {"std::__n4861::coroutine_handle<void>::resume() const", "coroutine", 135},
    {"void boost::asio::detail::awaitable_thread<boost::asio::any_io_executor>::pump()", "awaitable.hpp", 751},
    {"boost_asio_handler_invoke_helpers::invoke<...>(...)", "handler_invoke_helpers.hpp", 54},
    {"boost::beast::http::detail::read_msg_op<...>::operator()()", "read.hpp", 114},
    {"main", "app.cpp", 171},
    {"__libc_start_call_main", "libc_start_call_main.h", 58},
    {"_start", "", 0},
};

TEST(FrameFilter, LeavesOutLibraryFramesAndKeepsTheApplications) {
  EXPECT_EQ(names(frame_filter().visible(leak_stack)),
            (std::vector<std::string>{"void app::spawn(boost::asio::any_io_executor)",
                                      "app::metrics_reporter::metrics_reporter()", "app::handle(request const&)",
                                      "main"}));
}

TEST(FrameFilter, CollapsesWrappersByPattern) {
  const auto filter = frame_filter::with_collapsed({"app::spawn", "^main$"});
  ASSERT_TRUE(filter.ok());
  EXPECT_EQ(names(filter->visible(leak_stack)),
            (std::vector<std::string>{"app::metrics_reporter::metrics_reporter()", "app::handle(request const&)"}));
  EXPECT_FALSE(frame_filter::with_collapsed({"("}).ok()) << "an invalid pattern is an error";
}

TEST(FrameFilter, AStackOfLibraryFramesOnlyIsShownWhole) {
  const std::vector<frame> only_library = {{"boost::asio::detail::scheduler::run()", "scheduler.ipp", 1}};
  EXPECT_EQ(frame_filter().visible(only_library).size(), 1u);
}

TEST(FrameFilter, StacksThatLookTheSameAreMerged) {
  asio_console::testing::update_builder updates;
  state model;
  ASSERT_TRUE(model.apply(updates.publication(1, true).build()).ok());
  std::vector<frame> deeper = leak_stack;
  deeper.insert(deeper.begin() + 4, {"boost::asio::detail::other_machinery()", "x.hpp", 1});
  model.add_stack(1, leak_stack);
  model.add_stack(2, deeper);
  model.add_stack(3, {{"other::place()", "other.cpp", 3}});
  const auto merged = visible_stacks({{1, 5}, {3, 4}, {2, 2}}, model, frame_filter());
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].count, 7u) << "1 and 2 differ only in Asio's frames";
  EXPECT_EQ(merged[1].count, 4u);
}

}  // namespace
