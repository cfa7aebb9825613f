// Where a console's messages come from: a live connection to a process (live_connection.hpp), and
// later a recording. The terminal UI and `dump` read a source and hand it the model's requests; they
// do not know which kind it is.
#pragma once

#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "model/message.hpp"

namespace asio_console::console {

class message_source {
 public:
  virtual ~message_source() = default;

  /// Messages that arrived since the last call, in order; never waits.
  virtual std::vector<message> take_messages() = 0;
  /// The same, waiting until at least one arrived or `deadline` passed.
  virtual std::vector<message> wait_messages(absl::Time deadline) = 0;
  /// Carries out one of the model's requests; its answer arrives later as a message.
  virtual void send(request next) = 0;
  /// What the title bar and the reports call it: the target as the user wrote it, or a file.
  virtual std::string_view name() const = 0;
};

}  // namespace asio_console::console
