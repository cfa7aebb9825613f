// A recording as a source of messages (`asio-console replay`, `asio-console dump FILE`).
//
// It yields what the console took, up to a position that moves with the clock while playing,
// and answers the model's requests from the file: stacks from the symbolizations recorded (a
// stack the recording lacks comes back with no frames), details from those recorded, pause by
// stopping the clock, seeks by moving the position. Moving back starts a fresh stream and yields
// the recording again from the start of the stream the position falls in, so the model (lints,
// growth, retention) is exactly what it was live at that moment. Each move is a playback_status.
// Not thread-safe: the thread that owns the model owns this too.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "connection/message_source.hpp"
#include "recording/recording_file.hpp"

namespace asio_console::console {

struct replay_options {
  /// Where playback starts, from the recording's beginning; default: its first whole publication.
  std::optional<absl::Duration> start_at;
  bool playing = true;
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

class replay_source final : public message_source {
 public:
  replay_source(recording file, std::string name, replay_options options = {});

  std::vector<message> take_messages() override;
  std::vector<message> wait_messages(absl::Time deadline) override;
  void send(request next) override;
  std::string_view name() const override { return name_; }

  /// How long the recording runs (to its last message whole).
  absl::Duration duration() const noexcept { return absl::Nanoseconds(duration_ns_); }
  /// Where its first publication is whole; nullopt if none is.
  std::optional<absl::Duration> first_publication() const;
  const recording_header& header() const noexcept { return file_.header; }

 private:
  struct segment {  // one stream of the recording, and the stacks symbolized on it
    std::size_t begin = 0;
    absl::flat_hash_map<std::uint32_t, v1::Stack> spawn_stacks;
    absl::flat_hash_map<std::uint32_t, v1::Stack> await_stacks;
  };

  void advance();
  void seek(const seek_request& asked);
  void seek_to(std::int64_t ns);
  void yield_until(std::int64_t ns);
  void yield(std::size_t index);
  void set_playing(bool playing);
  void answer(const symbolize_request& asked);
  void send_latest_details();
  std::size_t segment_of(std::size_t index) const;
  std::uint64_t publications_until(std::int64_t ns) const;
  void report_position();

  const recording file_;
  const std::string name_;
  const std::function<absl::Time()> clock_;
  std::vector<segment> segments_;
  std::vector<std::int64_t> publication_ends_ns_;  // ascending
  std::int64_t duration_ns_ = 0;

  std::size_t next_ = 0;  // messages before it are yielded since the current stream started
  std::int64_t position_ns_ = 0;
  bool playing_ = false;
  absl::Time resumed_at_;  // while playing, position = resumed_from_ns_ + (clock - resumed_at_)
  std::int64_t resumed_from_ns_ = 0;

  std::size_t segment_ = 0;
  std::uint64_t stream_ = 0;  // as the model numbers them: one per stream yielded
  absl::flat_hash_map<std::uint64_t, std::size_t> segment_of_stream_;
  std::uint64_t watched_task_ = 0;
  std::deque<message> out_;
  std::optional<playback_status> reported_;
};

}  // namespace asio_console::console
