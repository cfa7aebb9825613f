// What a task waits for, named from the innermost frame of its await stack.
#include "model/wait_reason.hpp"

#include <gtest/gtest.h>

namespace {
using asio_console::console::frame;
using asio_console::console::wait_reason;

std::string reason_of(const std::string& innermost) {
  return wait_reason({frame{innermost, "", 0, true}, frame{"app::session()", "/src/app.cpp", 10, true}});
}

std::string initiation(const std::string& type) {
  return "boost::asio::async_result<boost::asio::use_awaitable_t<boost::asio::any_io_executor>, void "
         "(boost::system::error_code, unsigned long)>::initiate<" +
         type + ", boost::asio::use_awaitable_t<boost::asio::any_io_executor>>(" + type +
         ", boost::asio::use_awaitable_t<boost::asio::any_io_executor>, "
         "boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::any_io_executor>*)";
}

TEST(WaitReason, NamesAsiosOwnOperationsInPlainWords) {
  EXPECT_EQ(reason_of(initiation("boost::asio::basic_waitable_timer<std::chrono::_V2::steady_clock>::initiate_async_wait")),
            "timer wait");
  EXPECT_EQ(reason_of(initiation("boost::asio::basic_stream_socket<boost::asio::ip::tcp>::initiate_async_receive")),
            "socket read");
  EXPECT_EQ(reason_of(initiation("boost::asio::basic_stream_socket<boost::asio::ip::tcp>::initiate_async_send")),
            "socket write");
  EXPECT_EQ(reason_of(initiation("boost::asio::basic_socket_acceptor<boost::asio::ip::tcp>::initiate_async_move_accept")),
            "accept");
  EXPECT_EQ(reason_of(initiation("boost::asio::basic_socket<boost::asio::ip::tcp>::initiate_async_connect")), "connect");
  EXPECT_EQ(reason_of(initiation("boost::asio::basic_signal_set<boost::asio::any_io_executor>::initiate_async_wait")),
            "signal wait");
  EXPECT_EQ(reason_of(initiation("boost::asio::basic_resolver<boost::asio::ip::tcp>::initiate_async_resolve")),
            "resolve");
  EXPECT_EQ(reason_of(initiation("boost::asio::experimental::basic_channel<boost::asio::any_io_executor, "
                                 "boost::asio::experimental::channel_traits<>, void (boost::system::error_code, "
                                 "int)>::initiate_async_receive")),
            "channel receive");
  EXPECT_EQ(reason_of(initiation("boost::asio::detail::initiate_post")), "post");
  EXPECT_EQ(reason_of(initiation("boost::asio::detail::initiate_post_with_executor<boost::asio::any_io_executor>")),
            "post");
  EXPECT_EQ(reason_of(initiation("boost::asio::detail::initiate_async_read_dynbuf_v1<boost::asio::basic_stream_"
                                 "socket<boost::asio::ip::tcp>>")),
            "read");
  EXPECT_EQ(reason_of(initiation("boost::asio::detail::initiate_co_spawn<boost::asio::any_io_executor>")), "child task");
}

TEST(WaitReason, TheStreamAmongTheArgumentsDoesNotNameTheOperation) {
  // Beast's HTTP read takes the socket as an argument; what it starts is the HTTP read.
  EXPECT_EQ(reason_of(initiation("boost::beast::http::detail::run_read_msg_op")), "HTTP read");
  EXPECT_EQ(reason_of(initiation("boost::beast::http::detail::run_write_msg_op")), "HTTP write");
  EXPECT_EQ(reason_of(initiation("boost::beast::websocket::stream<boost::beast::tcp_stream, true>::impl_type::"
                                 "run_read_op")),
            "WebSocket read");
}

TEST(WaitReason, AwaitableOperatorsWaitForTheirChildren) {
  EXPECT_EQ(reason_of("boost::asio::experimental::awaitable_operators::operator||<void, void, "
                      "boost::asio::any_io_executor>(boost::asio::awaitable<void>, boost::asio::awaitable<void>)"),
            "any of (||)");
  EXPECT_EQ(reason_of("boost::asio::experimental::awaitable_operators::operator&&<void, void, "
                      "boost::asio::any_io_executor>(boost::asio::awaitable<void>, boost::asio::awaitable<void>)"),
            "all of (&&)");
}

TEST(WaitReason, UnknownInitiationsAreNamedByThemselvesAndUserCoroutinesNotAtAll) {
  EXPECT_EQ(reason_of(initiation("mylib::initiate_async_frobnicate")), "async_frobnicate");
  EXPECT_EQ(reason_of("app::wait_for_backoff()"), "") << "with `deferred` the innermost frame is the user's";
  EXPECT_EQ(wait_reason({}), "");
}

}  // namespace
