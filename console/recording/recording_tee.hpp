// A source that records what another yields (`asio-console --record=FILE`, `asio-console record`):
// every message taken passes to the caller unchanged and, if a recording keeps its kind, to a
// recording_writer. Its name says that it records, and when it stopped.
#pragma once

#include <string>

#include "connection/message_source.hpp"
#include "recording/recording_file.hpp"

namespace asio_console::console {

class recording_tee final : public message_source {
 public:
  recording_tee(message_source& source, recording_writer& writer);

  std::vector<message> take_messages() override;
  std::vector<message> wait_messages(absl::Time deadline) override;
  void send(request next) override { source_.send(std::move(next)); }
  std::string_view name() const override { return name_; }

  /// From now on only the answers to requests already made are kept (a recording winding down).
  void keep_only_answers() noexcept { only_answers_ = true; }

 private:
  std::vector<message> keep(std::vector<message> taken);

  message_source& source_;
  recording_writer& writer_;
  bool only_answers_ = false;
  bool stopped_ = false;
  std::string name_;
};

}  // namespace asio_console::console
