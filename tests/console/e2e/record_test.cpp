// `asio-console record` and the UI's --record against a real process, and recordings that are not
// what they should be, as a user meets them: each ends with one line and an exit code, and every
// file a recorder leaves reads back.
#include <gtest/gtest.h>
#include <zstd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>
#include <variant>

#include "asio_console/v1/recording.pb.h"
#include "recording/recording_file.hpp"

#include "support/process.hpp"
#include "support/tmux_session.hpp"

namespace {
using namespace std::chrono_literals;
using asio_console::testing::command_result;
using asio_console::testing::console_binary;
using asio_console::testing::free_loopback_port;
using asio_console::testing::run_command;
using asio_console::testing::start_sample_target;
using asio_console::testing::started_target;
using asio_console::testing::tmux_session;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string temp_path(const std::string& name) { return ::testing::TempDir() + "/record_test_" + name; }

command_result console(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 30s) {
  std::vector<std::string> argv = {console_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, timeout);
}

void expect_one_line(const command_result& result, int exit_code, const std::string& mentions) {
  EXPECT_EQ(result.exit_code, exit_code) << result.err;
  ASSERT_FALSE(result.err.empty());
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "one line: " << result.err;
  EXPECT_TRUE(contains(result.err, mentions)) << result.err;
}

// The sample target, answering.
started_target answering_target() {
  started_target target = start_sample_target({"--leak_every=50ms"});
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (console({"dump", target.address, "--sample-for=0s"}).exit_code == 0) break;
    std::this_thread::sleep_for(100ms);
  }
  return target;
}

TEST(Record, CtrlCLeavesAFileThatReadsBackWhole) {
  started_target target = answering_target();
  const std::string path = temp_path("interrupted.rec");
  // coreutils' timeout sends SIGINT after 3 s and passes on the recorder's own exit code.
  const command_result recorded = run_command(
      {"/usr/bin/timeout", "--preserve-status", "-s", "INT", "3", console_binary(), "record", target.address, "--output=" + path},
      30s);
  expect_one_line(recorded, 0, "asio-console: recorded ");
  const command_result dumped = console({"dump", path, "--json"});
  EXPECT_EQ(dumped.exit_code, 0) << dumped.err;
  EXPECT_TRUE(dumped.err.empty()) << "whole, not cut short: " << dumped.err;
  EXPECT_TRUE(contains(dumped.out, "\"leaky\"")) << dumped.out;
}

TEST(Record, MaxBytesEndsTheRecordingAtAFramesEndOnItsOwn) {
  started_target target = answering_target();
  const std::string path = temp_path("bounded.rec");
  const command_result recorded =
      console({"record", target.address, "--output=" + path, "--max-bytes=16KiB", "--duration=2m"}, 150s);
  expect_one_line(recorded, 0, "stopped at --max-bytes");
  EXPECT_LT(recorded.elapsed, 100s);
  EXPECT_LE(std::filesystem::file_size(path), 16u * 1024);
  const command_result dumped = console({"dump", path});
  EXPECT_EQ(dumped.exit_code, 0) << dumped.err;
  EXPECT_TRUE(dumped.err.empty()) << dumped.err;
}

TEST(Record, ADeadTargetIsOneLineAndLeavesNoFile) {
  const std::string path = temp_path("dead.rec");
  const command_result recorded =
      console({"record", "127.0.0.1:" + std::to_string(free_loopback_port()), "--output=" + path});
  expect_one_line(recorded, 1, "cannot connect to 127.0.0.1:");
  EXPECT_TRUE(contains(recorded.err, "nothing recorded")) << recorded.err;
  EXPECT_FALSE(std::filesystem::exists(path));
  expect_one_line(console({"record", "127.0.0.1:1", "--output=/nonexistent-dir/x.rec"}), 1,
                  "cannot write /nonexistent-dir/x.rec: No such file or directory");
}

TEST(Record, TheUiRecordsWhileYouWatchAndSaysWhereOnQuitting) {
  started_target target = answering_target();
  const std::string path = temp_path("watched.rec");
  tmux_session ui(console_binary() + " " + target.address + " --record=" + path + "; echo console-exited-$?", 160, 40);
  std::string shown;
  ASSERT_TRUE(ui.wait_for_text("● recording to " + path, &shown)) << shown;
  // A task of the target on screen (one of the oldest: newer ones may be below the fold).
  ASSERT_TRUE(ui.wait_for_text("request-loop", &shown)) << shown;
  std::this_thread::sleep_for(2s);
  ui.send({"q"});
  ASSERT_TRUE(ui.wait_for_text("console-exited-0", &shown)) << shown;
  EXPECT_TRUE(contains(ui.screen_and_history(), "publications to " + path)) << ui.screen_and_history();
  const command_result dumped = console({"dump", path, "--json"});
  EXPECT_EQ(dumped.exit_code, 0) << dumped.err;
  EXPECT_TRUE(contains(dumped.out, "\"leaky\"")) << dumped.out;
}

TEST(RecordingInput, EmptyForeignCorruptedAndMissingFilesAreOneLineAndExitOne) {
  const std::string empty = temp_path("empty.rec");
  std::ofstream(empty).flush();
  const std::string foreign = temp_path("foreign.rec");
  std::ofstream(foreign) << "{\"tasks\": []}\n";
  const std::string corrupted = temp_path("corrupted.rec");
  std::ofstream(corrupted) << "asio-console recording\n" << std::string("\x10\x00\x00\x00", 4) << std::string(16, 'x');
  for (const std::string command : {"dump", "replay"}) {
    expect_one_line(console({command, empty}), 1, "is empty, not an asio-console recording");
    expect_one_line(console({command, foreign}), 1, "is not an asio-console recording");
    expect_one_line(console({command, corrupted}), 1, "is corrupted at byte 23");
  }
  expect_one_line(console({"replay", temp_path("missing.rec")}), 1, "cannot read");
  expect_one_line(console({"dump", temp_path("missing.rec")}), 2, "there is no file of that name");
}

TEST(RecordingInput, FlagsOfAnotherCommandAndBadValuesAreUsageErrors) {
  expect_one_line(console({"dump", "127.0.0.1:1", "--output=x.rec"}), 2, "--output is not a flag of asio-console dump");
  expect_one_line(console({"replay", "x.rec", "--record=y.rec"}), 2, "--record is not a flag of asio-console replay");
  expect_one_line(console({"record", "127.0.0.1:1"}), 2, "record needs --output=FILE");
  expect_one_line(console({"record", "--output=x.rec", "--max-bytes=lots"}), 2, "--max-bytes=lots: expected a size");
  expect_one_line(console({"replay"}), 2, "replay needs the FILE");
  expect_one_line(console({"dump", "127.0.0.1:1", "--at=3s"}), 2, "--at is for a recording FILE");
}

// 60 MiB of one interned string per frame, compressed to a few KB: 50 frames of it are a file of
// about 100 KB that would decode to 3 GB.
std::string recording_bomb() {
  namespace v1 = asio_console::v1;
  const auto frame = [](const google::protobuf::MessageLite& content) {
    const std::string raw = content.SerializeAsString();
    std::string compressed(ZSTD_compressBound(raw.size()), '\0');
    compressed.resize(ZSTD_compress(compressed.data(), compressed.size(), raw.data(), raw.size(), 3));
    std::string out;
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((compressed.size() >> (8 * i)) & 0xff));
    return out + compressed;
  };
  v1::RecordingHeader header;
  header.set_format_version(1);
  header.set_protocol_version(1);
  header.set_target("bomb");
  v1::RecordedChunk chunk;
  chunk.add_messages()->set_stream_started(1);
  v1::Update* update = chunk.add_messages()->mutable_update();
  update->set_snapshot(true);
  update->set_last_chunk(true);
  v1::InternedString* big = update->add_new_strings();
  big->set_id(1);
  big->set_value(std::string(60u << 20, 'a'));
  const std::string bomb_frame = frame(chunk);
  std::string bytes = "asio-console recording\n" + frame(header);
  for (int i = 0; i < 50; ++i) bytes += bomb_frame;
  return bytes;
}

TEST(RecordingInput, ADecompressionBombIsRefusedInOneLineWithinBoundedMemory) {
  const std::string path = temp_path("bomb.rec");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << recording_bomb();
  EXPECT_LT(std::filesystem::file_size(path), 200u * 1024) << "a small file";
  long peak_kib = 0;
  for (const char* command : {"dump", "replay"}) {
    const command_result result = asio_console::testing::run_measured({console_binary(), command, path}, 30s);
    expect_one_line(result, 1, "a decompression bomb?");
    EXPECT_GT(result.max_rss_kib, 0) << "measured";
    peak_kib = std::max(peak_kib, result.max_rss_kib);
  }
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "refused in one line; memory is not measured under a sanitizer (its own shadow memory)";
#endif
  EXPECT_LT(peak_kib, 200 * 1024) << "KiB";
}

// What a recording holds of a restarting target: its instances (streams that brought a snapshot)
// and the places where it was gone.
struct restarts_seen {
  int instances = 0;
  int gone = 0;
};
restarts_seen restarts_in(const std::string& path) {
  namespace console = asio_console::console;
  const absl::StatusOr<console::recording> file = console::read_recording(path);
  EXPECT_TRUE(file.ok()) << file.status();
  restarts_seen seen;
  if (!file.ok()) return seen;
  std::uint64_t stream = 0, counted = 0;
  for (const console::recorded_message& m : file->messages) {
    if (const auto* started = std::get_if<console::stream_started>(&m.what)) stream = started->stream;
    const auto* update = std::get_if<asio_console::v1::Update>(&m.what);
    if (update != nullptr && update->snapshot() && stream != counted) {
      counted = stream;
      ++seen.instances;
    }
    if (std::holds_alternative<console::link_status>(m.what)) ++seen.gone;  // read from target_gone
  }
  return seen;
}

// A target restarted six times while it is recorded, each time up again 300 ms later: all seven
// instances are in the file (a console used to keep failing for seconds after the target was back),
// and the six places where it was gone, which replay shows.
TEST(Record, ATargetRestartedSixTimesIsInTheFileEveryTime) {
  const std::string address = "127.0.0.1:" + std::to_string(free_loopback_port());
  started_target target = start_sample_target({"--bind=" + address});
  const std::string path = temp_path("restarts.rec");
  std::thread restarts([&] {
    for (int i = 0; i < 6; ++i) {
      std::this_thread::sleep_for(2500ms);
      target.process.reset();  // killed
      std::this_thread::sleep_for(300ms);
      target = start_sample_target({"--bind=" + address});
    }
  });
  const command_result recorded = console({"record", address, "--output=" + path, "--duration=21s"}, 60s);
  restarts.join();
  EXPECT_EQ(recorded.exit_code, 0) << recorded.err;
  const restarts_seen seen = restarts_in(path);
  EXPECT_EQ(seen.instances, 7);
  EXPECT_EQ(seen.gone, 6);
}

}  // namespace
