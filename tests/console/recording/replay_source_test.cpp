// A recording as a source: the model it feeds is the one the console had live at each moment,
// whatever way the user moves (play, pause, step, jump, across a target's restart), and the
// model's requests are answered from the file.
#include "recording/replay_source.hpp"

#include <gtest/gtest.h>

#include "model/state.hpp"
#include "support/sample_recording.hpp"

namespace {
using namespace asio_console::console;
namespace v1 = asio_console::v1;
using asio_console::testing::sample_recording_start;
using asio_console::testing::write_sample_recording;

recording sample() {
  // One file per test: CTest runs tests side by side.
  const std::string path = ::testing::TempDir() + "/replay_source_test_" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".rec";
  auto writer = recording_writer::create(path, {"127.0.0.1:6669", sample_recording_start, "test", 1}, 1 << 30);
  EXPECT_TRUE(writer.ok());
  write_sample_recording(**writer);
  EXPECT_TRUE((*writer)->finish().ok());
  absl::StatusOr<recording> file = read_recording(path);
  EXPECT_TRUE(file.ok()) << file.status();
  return *std::move(file);
}

// A model fed by a replay, the way the UI feeds it, on a clock the test moves.
struct replay {
  absl::Time now = absl::UnixEpoch();
  replay_source source;
  state model;

  explicit replay(replay_options options = {})
      : source(sample(), "sample.rec", [&] {
          options.clock = [this] { return now; };
          return options;
        }()) {
    pump();
  }

  void pump() {
    for (int round = 0; round < 10; ++round) {
      std::vector<message> arrived = source.take_messages();
      EXPECT_TRUE(model.apply_all(arrived).ok());
      std::vector<request> asked = model.take_requests();
      if (arrived.empty() && asked.empty()) return;
      for (request& r : asked) source.send(std::move(r));
    }
    ADD_FAILURE() << "the replay kept yielding";
  }
  void play_for(absl::Duration d) {
    now += d;
    pump();
  }
  void seek(seek_request::to where, absl::Duration distance = absl::Seconds(10)) {
    source.send(seek_request{where, distance});
    pump();
  }
  void pause(bool paused) {
    model.set_paused(paused);
    pump();
  }
  std::size_t tasks() const { return model.tasks().size(); }
  double at_seconds() const { return static_cast<double>(model.playback()->at_ns) / 1e9; }
};

TEST(ReplaySource, StartsAtTheFirstWholePublicationAndPlaysWithTheClock) {
  replay r;
  ASSERT_NE(r.model.playback(), nullptr);
  EXPECT_DOUBLE_EQ(r.at_seconds(), 1.0);
  EXPECT_EQ(r.tasks(), 1u);
  EXPECT_EQ(r.model.playback()->publications, 7u);
  EXPECT_EQ(r.model.playback()->duration_ns, 8'000'000'000);
  EXPECT_EQ(r.model.playback()->started, sample_recording_start);
  r.play_for(absl::Milliseconds(999));
  EXPECT_EQ(r.tasks(), 1u);
  r.play_for(absl::Milliseconds(1));
  EXPECT_EQ(r.tasks(), 2u);
  r.play_for(absl::Seconds(2));
  EXPECT_EQ(r.tasks(), 4u);
  EXPECT_EQ(r.model.publications(), 4u);
}

TEST(ReplaySource, PauseStopsTheClockAndIsConfirmedLikeALiveTargetsPause) {
  replay r;
  r.pause(true);
  EXPECT_TRUE(r.model.time().paused());
  EXPECT_FALSE(r.model.playback()->playing);
  r.play_for(absl::Seconds(3));
  EXPECT_EQ(r.tasks(), 1u);
  r.pause(false);
  EXPECT_FALSE(r.model.time().paused());
  r.play_for(absl::Seconds(1));
  EXPECT_EQ(r.tasks(), 2u) << "it goes on from where it was held";
}

TEST(ReplaySource, StepsOnePublicationBackAndForthAndTheModelIsWhatItWasLive) {
  replay r;
  r.play_for(absl::Seconds(3));  // at 4 s: tasks 1..4
  ASSERT_EQ(r.tasks(), 4u);
  const std::uint64_t live_publications = r.model.publications();
  r.seek(seek_request::to::previous_publication);
  EXPECT_FALSE(r.model.playback()->playing) << "a step holds the replay there";
  EXPECT_EQ(r.tasks(), 3u);
  EXPECT_EQ(r.model.publications(), live_publications - 1) << "replayed from the stream's start";
  r.seek(seek_request::to::previous_publication);
  EXPECT_EQ(r.tasks(), 2u);
  r.seek(seek_request::to::next_publication);
  EXPECT_EQ(r.tasks(), 3u);
  EXPECT_DOUBLE_EQ(r.at_seconds(), 3.0);
  EXPECT_EQ(r.model.playback()->publication, 3u);
  r.play_for(absl::Seconds(5));
  EXPECT_EQ(r.tasks(), 3u) << "held";
  // The site's history is rebuilt too: what growth and leak-suspect read.
  EXPECT_EQ(r.model.find_site(1)->history.size(), 3u);
}

TEST(ReplaySource, JumpsStayWithinTheRecordingAndCrossTheTargetsRestart) {
  replay r({.playing = false});
  r.seek(seek_request::to::forward);
  EXPECT_DOUBLE_EQ(r.at_seconds(), 8.0) << "10 s forward stops at the end";
  EXPECT_EQ(r.model.find_task(100)->name(), "fresh") << "the restarted process, and only it";
  EXPECT_EQ(r.tasks(), 2u);
  r.seek(seek_request::to::back, absl::Seconds(3));  // 5 s: the first process, whole again
  EXPECT_EQ(r.tasks(), 5u);
  EXPECT_EQ(r.model.find_task(100), nullptr);
  r.seek(seek_request::to::back);
  EXPECT_DOUBLE_EQ(r.at_seconds(), 1.0) << "not before the first whole publication";
  EXPECT_EQ(r.tasks(), 1u);
  r.seek(seek_request::to::end);
  EXPECT_EQ(r.tasks(), 2u);
  r.seek(seek_request::to::start);
  EXPECT_EQ(r.tasks(), 1u);
  EXPECT_EQ(r.model.playback()->publication, 1u);
}

// Between 6 s (the stream broke) and 7 s (the next process), the target was gone: the model's link
// says so while the position is there, and the tasks shown are the last the first process sent.
TEST(ReplaySource, WhereTheTargetWasGoneTheLinkSaysSoUntilItsNextStream) {
  replay r({.playing = false});
  r.seek(seek_request::to::forward, absl::Seconds(4));  // 5 s
  EXPECT_EQ(r.model.link().current, link_status::phase::connected);
  r.seek(seek_request::to::forward, absl::Milliseconds(1500));  // 6.5 s
  EXPECT_EQ(r.model.link().current, link_status::phase::waiting_to_retry);
  EXPECT_EQ(r.model.link().last_error, "cannot connect to 127.0.0.1:6669: Connection refused");
  EXPECT_EQ(r.tasks(), 5u) << "the first process's last tasks, marked as gone";
  r.seek(seek_request::to::forward, absl::Seconds(1));  // 7.5 s: the next process
  EXPECT_EQ(r.model.link().current, link_status::phase::connected);
  EXPECT_EQ(r.tasks(), 1u);
  r.seek(seek_request::to::back, absl::Seconds(1));  // 6.5 s again, from the first stream's start
  EXPECT_EQ(r.model.link().current, link_status::phase::waiting_to_retry);
}

TEST(ReplaySource, StacksAreAnsweredFromTheRecordingAndOnesItLacksComeBackEmpty) {
  replay r({.playing = false});
  EXPECT_FALSE(r.model.symbolizing());
  const std::vector<frame>* stack = r.model.find_stack(9);
  ASSERT_NE(stack, nullptr);
  ASSERT_EQ(stack->size(), 1u);
  EXPECT_EQ(stack->front().function, "app::reporter::reporter()");

  replay_source bare(sample(), "sample.rec", {.playing = false});
  bare.take_messages();
  bare.send(symbolize_request{1, {9, 77}, {3}});
  std::vector<message> answers = bare.take_messages();
  ASSERT_FALSE(answers.empty());
  const auto& answer = std::get<stacks_symbolized>(answers.front());
  EXPECT_TRUE(answer.error.empty());
  ASSERT_EQ(answer.response.stacks_size(), 2);
  EXPECT_EQ(answer.response.stacks(1).id(), 77u);
  EXPECT_EQ(answer.response.stacks(1).frames_size(), 0) << "not recorded: no frames, not asked again and again";
  EXPECT_EQ(answer.response.await_stacks_size(), 1);
}

TEST(ReplaySource, AWatchedTasksDetailsAreTheLatestRecordedAtThePosition) {
  replay r({.playing = false});
  r.model.watch_details(1);
  r.pump();
  EXPECT_EQ(r.model.details(), nullptr) << "none recorded yet at 1 s";
  r.seek(seek_request::to::forward, absl::Seconds(2));  // 3 s
  ASSERT_NE(r.model.details(), nullptr);
  EXPECT_EQ(r.model.details()->note, "first");
  r.seek(seek_request::to::forward, absl::Seconds(2));  // 5 s
  EXPECT_EQ(r.model.details()->note, "second");
  r.seek(seek_request::to::back, absl::Seconds(2));  // 3 s again, from the stream's start
  ASSERT_NE(r.model.details(), nullptr);
  EXPECT_EQ(r.model.details()->note, "first");
}

TEST(ReplaySource, ADumpAtAMomentSeesExactlyWhatWasWholeThen) {
  replay at_2_5({.start_at = absl::Milliseconds(2500), .playing = false});
  EXPECT_EQ(at_2_5.tasks(), 2u);
  replay at_end({.start_at = absl::InfiniteDuration(), .playing = false});
  EXPECT_EQ(at_end.tasks(), 2u);
  EXPECT_NE(at_end.model.find_task(101), nullptr);
}

}  // namespace
