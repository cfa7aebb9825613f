// The cut-off rule for a console that cannot keep up, exactly as the protocol states it.
#include "lag_rule.hpp"

#include <gtest/gtest.h>

#include "update_stream.hpp"

namespace {
using asio_console::server_internal::lag_rule;
using asio_console::server_internal::update_stream;

TEST(LagRule, AConsoleIsCutOffAtItsThirdTimeBehindInARowNotItsFourth) {
  EXPECT_EQ(update_stream::max_times_behind, 3) << "what instrument.proto and README.md say";
  lag_rule lag(update_stream::max_times_behind);
  EXPECT_FALSE(lag.fell_behind());
  EXPECT_FALSE(lag.fell_behind());
  EXPECT_TRUE(lag.fell_behind()) << "the third time";
  EXPECT_EQ(lag.times(), 3);
}

TEST(LagRule, CatchingUpInBetweenStartsTheCountOver) {
  lag_rule lag(3);
  lag.fell_behind();
  lag.fell_behind();
  lag.caught_up();
  EXPECT_FALSE(lag.fell_behind());
  EXPECT_FALSE(lag.fell_behind());
  EXPECT_TRUE(lag.fell_behind());
}

}  // namespace
