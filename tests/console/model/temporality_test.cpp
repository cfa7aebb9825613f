// Pause as the model keeps it: asked by the user, confirmed by the target, lost with a stream.
#include "model/temporality.hpp"

#include <gtest/gtest.h>

namespace {
using asio_console::console::pause_answered;
using asio_console::console::pause_request;
using asio_console::console::temporality;

TEST(Temporality, APauseIsSentOnceTheStreamNamedItsWatcherAndHeldOnlyWhenConfirmed) {
  temporality time;
  EXPECT_FALSE(time.want(true)) << "no watcher id yet: nothing to send";
  EXPECT_TRUE(time.changing());
  EXPECT_FALSE(time.paused());
  const std::optional<pause_request> sent = time.on_watcher(7);
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->watcher_id, 7u);
  EXPECT_TRUE(sent->paused);
  EXPECT_FALSE(time.paused()) << "not before the target confirms";
  EXPECT_FALSE(time.on_answer({7, true, ""}));
  EXPECT_TRUE(time.paused());
  EXPECT_FALSE(time.changing());
}

TEST(Temporality, OneRequestAtATimeAndTheAnswerSendsWhatWasAskedMeanwhile) {
  temporality time;
  time.on_watcher(3);
  ASSERT_TRUE(time.want(true));
  EXPECT_FALSE(time.want(false)) << "the pause is still unanswered";
  EXPECT_FALSE(time.want(true));
  EXPECT_FALSE(time.on_answer({3, true, ""})) << "what is wanted is what was confirmed";
  EXPECT_TRUE(time.paused());
  ASSERT_TRUE(time.want(false));
  const std::optional<pause_request> resume_then = time.on_answer({3, false, ""});
  EXPECT_FALSE(resume_then);
  EXPECT_FALSE(time.paused());
}

TEST(Temporality, AFailedPauseIsShownAsItIsWithItsError) {
  temporality time;
  time.on_watcher(3);
  ASSERT_TRUE(time.want(true));
  time.on_answer({3, true, "no answer from 127.0.0.1:1 within 5s"});
  EXPECT_FALSE(time.paused());
  EXPECT_FALSE(time.wanted_paused()) << "not claimed, not retried";
  EXPECT_FALSE(time.changing());
  EXPECT_NE(time.error().find("no answer"), std::string::npos);
}

TEST(Temporality, ANewStreamIsLiveAndAPausedConsoleAsksAgainWithTheNewWatcher) {
  temporality time;
  time.on_watcher(3);
  time.want(true);
  time.on_answer({3, true, ""});
  ASSERT_TRUE(time.paused());
  time.on_stream_started();
  EXPECT_FALSE(time.paused()) << "the new stream's updates flow";
  EXPECT_TRUE(time.changing()) << "and the console wants them held";
  const std::optional<pause_request> again = time.on_watcher(9);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->watcher_id, 9u);
  EXPECT_FALSE(time.on_answer({3, true, ""})) << "an answer about the old watcher is ignored";
  EXPECT_FALSE(time.paused());
  time.on_answer({9, true, ""});
  EXPECT_TRUE(time.paused());
}

}  // namespace
