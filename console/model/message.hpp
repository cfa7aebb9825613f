// What flows between a source of messages and the model (tokio-console's shape): a source — a live
// connection or a recording — yields `message`s and does nothing else; the model applies every
// one of them and asks for what it needs with `request`s, which the owner of the source carries out.
// Requests are answered by messages, never by a return value, so nothing waits on the network.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/time/time.h"

#include "asio_console/v1/instrument.pb.h"
#include "model/link_status.hpp"
#include "model/playback.hpp"

namespace asio_console::console {

/// A new stream began (numbered from 1 by its source): what the model knew of the process is
/// forgotten, and the stream's updates start over from a snapshot.
struct stream_started {
  std::uint64_t stream = 0;
};

/// The answer to a symbolize_request: the stacks, or why there are none.
struct stacks_symbolized {
  std::uint64_t stream = 0;  // the stream the request was made on
  std::vector<std::uint32_t> spawn_ids;  // asked for
  std::vector<std::uint32_t> await_ids;
  v1::SymbolizeStacksResponse response;
  std::string error;  // one line; empty on success
};

/// The answer to a pause_request.
struct pause_answered {
  std::uint64_t watcher_id = 0;
  bool paused = false;  // what was asked
  std::string error;    // one line; empty: the target confirmed
};

using message = std::variant<stream_started, v1::Update, v1::TaskDetails, stacks_symbolized, pause_answered, link_status,
                             playback_status>;

/// Symbolize these stacks (as many target calls as that takes), answered by stacks_symbolized.
struct symbolize_request {
  std::uint64_t stream = 0;
  std::vector<std::uint32_t> spawn_ids;
  std::vector<std::uint32_t> await_ids;
};

/// Pause or resume one watcher's updates, answered by pause_answered.
struct pause_request {
  std::uint64_t watcher_id = 0;
  bool paused = false;
};

/// Follow the details of this task from now on (a fresh stream of them), or of none with 0.
struct watch_details_request {
  std::uint64_t task_id = 0;
};

/// End the current stream and start another at once: the model could not apply a message.
struct restart_request {
  std::string reason;
};

/// Move a recording's playback (the user's keys in `replay`); a live source has nothing to move.
/// Answered by a playback_status, and by a fresh stream when it moves back.
struct seek_request {
  enum class to : std::uint8_t {
    previous_publication, next_publication,  // one step; both pause the playback
    back, forward,                           // by `distance`
    start, end,
  } where = to::next_publication;
  absl::Duration distance;
};

using request = std::variant<symbolize_request, pause_request, watch_details_request, restart_request, seek_request>;

}  // namespace asio_console::console
