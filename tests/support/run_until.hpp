// Runs an io_context's handlers one at a time until a condition holds, for at most 5 s; the test
// fails (with a message saying so) if it never does.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>

namespace asio_console::testing {

template <typename Predicate>
void run_until(boost::asio::io_context& ctx, Predicate done) {
  using namespace std::chrono_literals;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    ctx.restart();
    ctx.run_one_for(10ms);
  }
  ASSERT_TRUE(done()) << "condition not reached within 5 s";
}

}  // namespace asio_console::testing
