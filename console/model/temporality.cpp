#include "model/temporality.hpp"

namespace asio_console::console {

std::optional<pause_request> temporality::want(bool paused) {
  wanted_paused_ = paused;
  return next();
}

std::optional<pause_request> temporality::on_watcher(std::uint64_t watcher_id) {
  if (watcher_id == 0 || watcher_id == watcher_id_) return std::nullopt;
  watcher_id_ = watcher_id;
  return next();
}

std::optional<pause_request> temporality::on_answer(const pause_answered& answer) {
  if (!in_flight_ || answer.watcher_id != watcher_id_) return std::nullopt;  // about an earlier stream
  in_flight_ = false;
  if (answer.error.empty()) {
    confirmed_paused_ = answer.paused;
    error_.clear();
  } else {
    error_ = answer.error;
    wanted_paused_ = confirmed_paused_;  // show what is, not what was asked
  }
  return next();
}

void temporality::on_stream_started() {
  confirmed_paused_ = false;
  watcher_id_ = 0;
  in_flight_ = false;
}

std::optional<pause_request> temporality::next() {
  if (watcher_id_ == 0 || in_flight_ || wanted_paused_ == confirmed_paused_) return std::nullopt;
  in_flight_ = true;
  return pause_request{watcher_id_, wanted_paused_};
}

}  // namespace asio_console::console
