#include <gtest/gtest.h>

#include <asio_console/instrumentation/function_names.hpp>

namespace {
using asio_console::instrumentation::readable_function_name;

TEST(ReadableFunctionName, CoroutineBodiesReadAsTheCoroutine) {
  EXPECT_EQ(readable_function_name("serve_requests(serve_requests()::_Z14serve_requestsv.Frame*)"),
            "serve_requests()");
  EXPECT_EQ(readable_function_name("void serve_requests(serve_requests()::_Z14serve_requestsv.Frame*)"),
            "serve_requests()");
  EXPECT_EQ(readable_function_name("handle_request(handle_request(int)::_Z14handle_requesti.Frame*)"),
            "handle_request(int)");
  EXPECT_EQ(readable_function_name(
                "handle_request(handle_request(int)::_Z14handle_requesti.Frame*) [clone .actor]"),
            "handle_request(int)");
  EXPECT_EQ(readable_function_name(
                "ns::server::run(ns::server::run(int) const::_ZNK2ns6server3runEi.Frame*)"),
            "ns::server::run(int) const");
}

TEST(ReadableFunctionName, CoroutinesInAnonymousNamespacesReadAsTheCoroutine) {
  EXPECT_EQ(readable_function_name("(anonymous namespace)::inner((anonymous namespace)::inner(timer&)::"
                                   "_ZN12_GLOBAL__N_15innerER5timer.Frame*) [clone .actor]"),
            "(anonymous namespace)::inner(timer&)");
  EXPECT_EQ(readable_function_name("app::(anonymous namespace)::run(app::(anonymous namespace)::run((anonymous "
                                   "namespace)::job)::_ZN3app12_GLOBAL__N_13runENS0_3jobE.Frame*)"),
            "app::(anonymous namespace)::run((anonymous namespace)::job)");
}

TEST(ReadableFunctionName, AsioInitiationCoroutinesKeepTheirTemplateArguments) {
  EXPECT_EQ(readable_function_name(
                "boost::asio::async_result<boost::asio::use_awaitable_t<boost::asio::any_io_executor>, void "
                "(boost::system::error_code)>::initiate(boost::asio::async_result<boost::asio::use_awaitable_t<"
                "boost::asio::any_io_executor>, void (boost::system::error_code)>::initiate<timer::initiate_async_"
                "wait>(timer::initiate_async_wait, boost::asio::use_awaitable_t<boost::asio::any_io_executor>)::_"
                "ZN5boost4asio12async_resultE.Frame*) [clone .actor]"),
            "boost::asio::async_result<boost::asio::use_awaitable_t<boost::asio::any_io_executor>, void "
            "(boost::system::error_code)>::initiate<timer::initiate_async_wait>(timer::initiate_async_wait, "
            "boost::asio::use_awaitable_t<boost::asio::any_io_executor>)");
}

TEST(ReadableFunctionName, OtherNamesAreUnchanged) {
  EXPECT_EQ(readable_function_name("int main()"), "int main()");
  EXPECT_EQ(readable_function_name("cache_refresher::cache_refresher()"), "cache_refresher::cache_refresher()");
  EXPECT_EQ(readable_function_name(""), "");
}
}  // namespace
