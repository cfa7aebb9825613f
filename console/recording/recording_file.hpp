// A recording on disk (proto/asio_console/v1/recording.proto): written as a console takes its
// messages, read back whole for `replay` and `dump FILE`.
//
// The writer keeps the file valid at every moment a frame ends: a recorder stopped by Ctrl-C,
// a full disk or --max-bytes leaves a file that reads back whole, and one killed mid-write loses
// at most the frame it was writing (the reader says so and keeps the rest). The reader never
// trusts the file: every frame is bounded and checksummed, and what is wrong is one line naming
// the file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "asio_console/v1/recording.pb.h"
#include "model/message.hpp"

namespace asio_console::console {

/// The line a recording starts with (`head -1 FILE` says what it is).
inline constexpr std::string_view recording_magic = "asio-console recording\n";
/// No frame of a recording holds more than this, written or read (a snapshot chunk is under 4 MiB).
inline constexpr std::size_t max_frame_bytes = 64u << 20;
/// A recording's frames decode to at most this many times the file's size (real ones: 3 to 10
/// times), and to at least min_decoded_budget whatever its size: past it the file is refused as a
/// decompression bomb before anything more is decompressed.
inline constexpr std::uint64_t max_decoded_per_file_byte = 64;
inline constexpr std::uint64_t min_decoded_budget = 64u << 20;

struct recording_header {
  std::string target;  // as the user named it
  absl::Time started;  // wall clock
  std::string recorded_by;
  std::uint32_t protocol_version = 0;
};

/// One message as the console took it, `elapsed_ns` after the recording started. Only the kinds a
/// recording keeps: stream_started, v1::Update, v1::TaskDetails, stacks_symbolized, and the
/// link_status that says a stream broke (the target gone until the next stream_started).
struct recorded_message {
  std::int64_t elapsed_ns = 0;
  message what;
};

class recording_writer {
 public:
  /// Creates (or empties) `path` and writes the header. Stops before the file would pass
  /// `max_bytes`. The error is one line naming the file.
  static absl::StatusOr<std::unique_ptr<recording_writer>> create(const std::string& path, const recording_header& header,
                                                                  std::uint64_t max_bytes);
  ~recording_writer();  // finish()es
  recording_writer(const recording_writer&) = delete;
  recording_writer& operator=(const recording_writer&) = delete;

  /// Keeps `next`, taken at `taken`, if a recording keeps its kind: every message of the current
  /// stream but pause answers, link changes other than the stream's end, and failed
  /// symbolizations. Written out at the end of each publication (and for any other kind at once),
  /// so that a frame is a whole moment.
  void add(const message& next, absl::Time taken);
  /// Writes what is kept and closes the file; later adds are dropped. Returns the first error.
  absl::Status finish();

  /// The file would have passed max_bytes: nothing more is written.
  bool full() const noexcept { return full_; }
  /// Why writing stopped (a full disk, ...); OK while it goes on.
  const absl::Status& status() const noexcept { return status_; }
  std::uint64_t bytes_written() const noexcept { return bytes_; }
  std::uint64_t publications() const noexcept { return publications_; }
  absl::Duration elapsed() const noexcept { return absl::Nanoseconds(last_elapsed_ns_); }
  const std::string& path() const noexcept { return path_; }

 private:
  recording_writer(std::string path, int fd, absl::Time started, std::uint64_t max_bytes);
  void write_chunk();
  bool write_frame(const google::protobuf::MessageLite& content);

  const std::string path_;
  int fd_ = -1;
  const absl::Time started_;
  const std::uint64_t max_bytes_;
  std::uint64_t bytes_ = 0;
  std::uint64_t publications_ = 0;
  std::int64_t last_elapsed_ns_ = 0;
  std::uint64_t stream_ = 0;
  std::uint64_t chunks_written_ = 0;  // RecordedChunk.sequence of the last one
  std::uint64_t gone_after_stream_ = 0;  // the stream whose end is recorded (target_gone)
  bool full_ = false;
  absl::Status status_;
  v1::RecordedChunk pending_;
  std::size_t pending_bytes_ = 0;
};

/// A recording read back whole.
struct recording {
  recording_header header;
  std::vector<recorded_message> messages;  // in the order they were taken; the first starts a stream
  /// Empty, or why the tail was left out: "ends inside a frame at byte N (cut short while it was
  /// written?)", or "holds frame 7 where frame 6 belongs, at byte N (a frame missing, repeated or moved)".
  std::string cut_short;
};

/// Reads `path`. An empty, foreign, corrupted or unreadable file, one of another format, or one
/// with no stream in it, is an error of one line naming the file; a file cut inside a frame keeps
/// every frame before the cut and says so in `cut_short`.
absl::StatusOr<recording> read_recording(const std::string& path);

}  // namespace asio_console::console
