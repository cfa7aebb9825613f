// Whether this console's updates flow or are held by the target: what the user asked for and what
// the target confirmed on the current stream. A new stream always starts live, so a console that
// was paused asks again once the new stream is usable (its watcher named, its snapshot whole: the
// model calls on_watcher then); until the target confirms, the console does not claim to be paused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/message.hpp"

namespace asio_console::console {

class temporality {
 public:
  /// Confirmed by the target on the current stream: no updates flow.
  bool paused() const noexcept { return confirmed_paused_; }
  bool wanted_paused() const noexcept { return wanted_paused_; }
  /// A pause or a resume was asked for and is not confirmed yet.
  bool changing() const noexcept { return wanted_paused_ != confirmed_paused_; }
  /// Why the last pause or resume failed; empty once one succeeds.
  const std::string& error() const noexcept { return error_; }

  // Each returns the request to send now, if any: none before the stream has named its watcher,
  // and none while another is unanswered (the answer sends the next one).
  std::optional<pause_request> want(bool paused);
  std::optional<pause_request> on_watcher(std::uint64_t watcher_id);
  std::optional<pause_request> on_answer(const pause_answered& answer);
  void on_stream_started();

 private:
  std::optional<pause_request> next();

  bool wanted_paused_ = false;
  bool confirmed_paused_ = false;
  std::uint64_t watcher_id_ = 0;
  bool in_flight_ = false;
  std::string error_;
};

}  // namespace asio_console::console
