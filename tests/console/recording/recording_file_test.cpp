// Recordings on disk: what is written reads back in order; a file cut anywhere keeps what is whole;
// empty, foreign, corrupted and other-format files are one-line errors; the size bound holds.
#include "recording/recording_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include <zstd.h>

#include "support/sample_recording.hpp"

namespace {
using namespace asio_console::console;
namespace v1 = asio_console::v1;
using asio_console::testing::sample_recording_start;
using asio_console::testing::write_sample_recording;

// One file per test and name: CTest runs tests side by side.
std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "/recording_file_test_" + ::testing::UnitTest::GetInstance()->current_test_info()->name() +
         "_" + name;
}

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::string write_sample(const std::string& name, std::uint64_t max_bytes = 1 << 30) {
  const std::string path = temp_path(name);
  auto writer = recording_writer::create(path, {"127.0.0.1:6669", sample_recording_start, "test", 1}, max_bytes);
  EXPECT_TRUE(writer.ok()) << writer.status();
  if (writer.ok()) {
    write_sample_recording(**writer);
    EXPECT_TRUE((*writer)->finish().ok());
  }
  return path;
}

// What a recording holds, kind by kind: "s1 u u u ..." (s: stream started, u: update, d: details,
// k: stacks, g: the target gone).
std::string kinds(const recording& file) {
  std::string out;
  for (const recorded_message& m : file.messages) {
    if (!out.empty()) out += ' ';
    if (const auto* s = std::get_if<stream_started>(&m.what)) out += "s" + std::to_string(s->stream);
    if (std::holds_alternative<v1::Update>(m.what)) out += "u";
    if (std::holds_alternative<v1::TaskDetails>(m.what)) out += "d";
    if (std::holds_alternative<stacks_symbolized>(m.what)) out += "k";
    if (std::holds_alternative<link_status>(m.what)) out += "g";
  }
  return out;
}

TEST(RecordingFile, WhatIsWrittenReadsBackInOrderWithItsHeaderAndTimes) {
  const std::string path = write_sample("roundtrip");
  EXPECT_EQ(contents(path).substr(0, recording_magic.size()), recording_magic) << "head -1 says what it is";
  absl::StatusOr<recording> file = read_recording(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->header.target, "127.0.0.1:6669");
  EXPECT_EQ(file->header.started, sample_recording_start);
  EXPECT_EQ(file->header.protocol_version, 1u);
  EXPECT_TRUE(file->cut_short.empty());
  // The pause answer is the console's own and is not kept; of the link's changes, only where the
  // target went (once per stream).
  EXPECT_EQ(kinds(*file), "s1 u u k u d u u d u g s2 u u u");
  const auto& gone = std::get<link_status>(file->messages[10].what);
  EXPECT_EQ(file->messages[10].elapsed_ns, 6'000'000'000);
  EXPECT_EQ(gone.last_error, "cannot connect to 127.0.0.1:6669: Connection refused");
  EXPECT_EQ(file->messages.front().elapsed_ns, 500'000'000);
  EXPECT_EQ(file->messages.back().elapsed_ns, 8'000'000'000);
  const auto& stacks = std::get<stacks_symbolized>(file->messages[3].what);
  EXPECT_EQ(stacks.stream, 1u);
  ASSERT_EQ(stacks.response.stacks_size(), 1);
  EXPECT_EQ(stacks.response.stacks(0).frames(0).function(), "app::reporter::reporter()");
  EXPECT_EQ(std::get<v1::Update>(file->messages[2].what).new_tasks(0).id(), 1u);
}

TEST(RecordingFile, StacksAnsweredForAnotherStreamOrFailedAreNotKept) {
  const std::string path = temp_path("stale_stacks");
  auto writer = recording_writer::create(path, {"t:1", sample_recording_start, "test", 1}, 1 << 20);
  ASSERT_TRUE(writer.ok());
  (*writer)->add(message{stream_started{2}}, sample_recording_start);
  (*writer)->add(message{stacks_symbolized{1, {3}, {}, {}, {}}}, sample_recording_start);  // asked of stream 1
  (*writer)->add(message{stacks_symbolized{2, {3}, {}, {}, "unavailable"}}, sample_recording_start);
  (*writer)->add(message{link_status{}}, sample_recording_start);
  ASSERT_TRUE((*writer)->finish().ok());
  absl::StatusOr<recording> file = read_recording(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(kinds(*file), "s2");
}

TEST(RecordingFile, AFileCutAnywhereKeepsEveryWholeFrameAndSaysSo) {
  const std::string whole = contents(write_sample("whole"));
  const std::size_t all = read_recording(temp_path("whole"))->messages.size();
  const std::string cut_path = temp_path("cut");
  std::size_t previous = 0;
  for (std::size_t size = 1; size < whole.size(); ++size) {
    write_file(cut_path, whole.substr(0, size));
    absl::StatusOr<recording> file = read_recording(cut_path);
    if (!file.ok()) {
      // Only before the first stream is there nothing to show.
      EXPECT_EQ(previous, 0u) << "cut at " << size << ": " << file.status();
      const std::string why(file.status().message());
      EXPECT_TRUE(why.find("ends before its header") != std::string::npos || why.find("holds no stream") != std::string::npos)
          << why;
      continue;
    }
    EXPECT_GE(file->messages.size(), previous) << "a longer part keeps at least as much";
    EXPECT_LT(file->messages.size(), all);
    if (file->messages.size() == previous || previous == 0) {
      // Inside a frame (or at the end of one: then it is simply a shorter recording).
      EXPECT_TRUE(!file->cut_short.empty() || file->messages.size() > previous) << size;
    }
    previous = file->messages.size();
  }
  EXPECT_GT(previous, all / 2);
}

TEST(RecordingFile, EmptyForeignAndUnreadableFilesAreOneLineErrors) {
  const std::string empty = temp_path("empty");
  write_file(empty, "");
  const std::string foreign = temp_path("foreign");
  write_file(foreign, "GIF89a and then some");
  struct expectation {
    std::string path;
    std::string says;
  };
  for (const expectation& e : {expectation{empty, "is empty, not an asio-console recording"},
                               expectation{foreign, "is not an asio-console recording"},
                               expectation{temp_path("missing"), "cannot read"},
                               expectation{::testing::TempDir(), "cannot read"}}) {
    absl::StatusOr<recording> file = read_recording(e.path);
    ASSERT_FALSE(file.ok()) << e.path;
    const std::string why(file.status().message());
    EXPECT_NE(why.find(e.says), std::string::npos) << why;
    EXPECT_EQ(why.find('\n'), std::string::npos) << why;
  }
}

TEST(RecordingFile, AChangedByteAnywhereIsACorruptionErrorNeverACrash) {
  const std::string whole = contents(write_sample("flip"));
  const std::string path = temp_path("flipped");
  int corrupted = 0;
  for (std::size_t at = recording_magic.size(); at < whole.size(); ++at) {
    std::string changed = whole;
    changed[at] = static_cast<char>(changed[at] ^ 0x5a);
    write_file(path, changed);
    absl::StatusOr<recording> file = read_recording(path);
    if (file.ok()) {
      // A length that now points past the end reads as a cut tail; nothing else goes unnoticed.
      EXPECT_FALSE(file->cut_short.empty()) << "byte " << at << " changed unnoticed";
      continue;
    }
    const std::string why(file.status().message());
    EXPECT_EQ(why.find('\n'), std::string::npos) << why;
    if (why.find("is corrupted at byte") != std::string::npos) ++corrupted;
  }
  EXPECT_GT(corrupted, static_cast<int>(whole.size() / 2));
}

// A file whose header says `format`, written by hand the way the format says.
std::string with_header_format(std::uint32_t format) {
  v1::RecordingHeader header;
  header.set_format_version(format);
  header.set_protocol_version(1);
  const std::string raw = header.SerializeAsString();
  std::string frame(ZSTD_compressBound(raw.size()), '\0');
  frame.resize(ZSTD_compress(frame.data(), frame.size(), raw.data(), raw.size(), 1));
  std::string bytes(recording_magic);
  for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((frame.size() >> (8 * i)) & 0xff));
  const std::string path = temp_path("format" + std::to_string(format));
  write_file(path, bytes + frame);
  return path;
}

TEST(RecordingFile, AnotherFormatOrProtocolVersionIsNamed) {
  absl::StatusOr<recording> file = read_recording(with_header_format(2));
  ASSERT_FALSE(file.ok());
  EXPECT_NE(std::string(file.status().message()).find("is in recording format 2; this asio-console reads format 1"),
            std::string::npos)
      << file.status();

  const std::string other = temp_path("protocol2");
  auto writer = recording_writer::create(other, {"t:1", sample_recording_start, "test", 2}, 1 << 20);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->finish().ok());
  file = read_recording(other);
  ASSERT_FALSE(file.ok());
  EXPECT_NE(std::string(file.status().message()).find("protocol version 2; this asio-console speaks 1"), std::string::npos)
      << file.status();
}

// The frames of a recording as written: magic, then each frame with its 4-byte length.
std::vector<std::string> frames_of(const std::string& bytes) {
  std::vector<std::string> frames;
  for (std::size_t at = recording_magic.size(); at + 4 <= bytes.size();) {
    std::uint32_t length = 0;
    for (int i = 0; i < 4; ++i) length |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    frames.push_back(bytes.substr(at, 4 + length));
    at += 4 + length;
  }
  return frames;
}

std::string joined(const std::vector<std::string>& frames) {
  std::string bytes(recording_magic);
  for (const std::string& f : frames) bytes += f;
  return bytes;
}

TEST(RecordingFile, AFrameMissingRepeatedOrMovedKeepsWhatCameBeforeAndSaysWhere) {
  const std::vector<std::string> frames = frames_of(contents(write_sample("whole")));
  ASSERT_GE(frames.size(), 5u) << "a header and four chunks at least";
  const recording whole = *read_recording(write_sample("whole-again"));
  const recording first_chunk = [&] {
    const std::string path = temp_path("first");
    write_file(path, joined({frames[0], frames[1]}));
    return *read_recording(path);
  }();
  const auto read_with = [&](const std::string& name, std::vector<std::string> changed) {
    const std::string path = temp_path(name);
    write_file(path, joined(changed));
    absl::StatusOr<recording> file = read_recording(path);
    EXPECT_TRUE(file.ok()) << file.status();
    return file.ok() ? *file : recording{};
  };
  const recording swapped = read_with("swapped", {frames[0], frames[1], frames[3], frames[2], frames[4]});
  EXPECT_NE(swapped.cut_short.find("holds frame 3 where frame 2 belongs, at byte "), std::string::npos)
      << swapped.cut_short;
  EXPECT_EQ(kinds(swapped), kinds(first_chunk)) << "what came before the moved frame, whole";
  const recording repeated = read_with("repeated", {frames[0], frames[1], frames[2], frames[2], frames[3]});
  EXPECT_NE(repeated.cut_short.find("holds frame 2 where frame 3 belongs"), std::string::npos) << repeated.cut_short;
  const recording dropped = read_with("dropped", {frames[0], frames[1], frames[3], frames[4]});
  EXPECT_NE(dropped.cut_short.find("holds frame 3 where frame 2 belongs"), std::string::npos) << dropped.cut_short;
  EXPECT_TRUE(whole.cut_short.empty()) << "an untouched file is whole: " << whole.cut_short;
}

TEST(RecordingFile, ItStopsBeforeItWouldPassMaxBytesAndStaysWhole) {
  const std::uint64_t limit = contents(write_sample("unbounded")).size() / 2;
  const std::string path = temp_path("bounded");
  auto writer = recording_writer::create(path, {"t:1", sample_recording_start, "test", 1}, limit);
  ASSERT_TRUE(writer.ok());
  write_sample_recording(**writer);
  EXPECT_TRUE((*writer)->full());
  ASSERT_TRUE((*writer)->finish().ok());
  EXPECT_LE(std::filesystem::file_size(path), limit);
  absl::StatusOr<recording> file = read_recording(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(file->cut_short.empty()) << "it stopped at a frame's end";
  EXPECT_FALSE(file->messages.empty());

  const auto no_room = recording_writer::create(temp_path("tiny"), {"t:1", sample_recording_start, "test", 1}, 10);
  ASSERT_FALSE(no_room.ok());
  EXPECT_NE(std::string(no_room.status().message()).find("leaves no room"), std::string::npos) << no_room.status();
}

TEST(RecordingFile, AnUnwritablePathIsOneLineNamingIt) {
  const auto writer = recording_writer::create("/nonexistent-dir/x.rec", {"t:1", sample_recording_start, "test", 1}, 1 << 20);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(std::string(writer.status().message()), "cannot write /nonexistent-dir/x.rec: No such file or directory");
}

}  // namespace
