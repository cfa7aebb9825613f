// What a console knows about its link to the target: the source (a live connection) reports it as
// a message whenever it changes; the model keeps the latest for the views.
#pragma once

#include <string>

#include "absl/time/time.h"

namespace asio_console::console {

struct link_status {
  enum class phase {
    connecting,        // a stream is being opened
    connected,         // the stream's first message arrived
    waiting_to_retry,  // the stream broke; another is opened at retry_at
    closed,            // the stream ended and the source does not retry (dump)
  } current = phase::connecting;
  std::string last_error;  // one line, empty if none
  absl::Time retry_at;     // when waiting_to_retry
  int attempts = 0;        // streams started so far
};

}  // namespace asio_console::console
