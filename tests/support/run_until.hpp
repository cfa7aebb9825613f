// Runs an io_context's handlers one at a time until a condition holds, for at most 5 s (or
// `limit`); the test fails (with a message saying so) if it never does.
#pragma once

#include <gtest/gtest.h>

#include <chrono>

#include "support/asio.hpp"

namespace asio_console::testing {

template <typename Predicate>
void run_until(asio::io_context& ctx, Predicate done, std::chrono::seconds limit = std::chrono::seconds(5)) {
  using namespace std::chrono_literals;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    ctx.restart();
    ctx.run_one_for(10ms);
  }
  ASSERT_TRUE(done()) << "condition not reached within " << limit.count() << " s";
}

}  // namespace asio_console::testing
