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

TEST(ReadableFunctionName, OtherNamesAreUnchanged) {
  EXPECT_EQ(readable_function_name("int main()"), "int main()");
  EXPECT_EQ(readable_function_name("cache_refresher::cache_refresher()"), "cache_refresher::cache_refresher()");
  EXPECT_EQ(readable_function_name(""), "");
}
}  // namespace
