// What a suspended task waits for, in plain words, as far as its await stack tells.
#pragma once

#include <string>
#include <vector>

#include "model/state.hpp"

namespace asio_console::console {

/// The operation the innermost frame of `await_stack` started: "timer wait", "socket read",
/// "accept", "channel receive", "post", "HTTP read", "any of (||)", ... Asio names it when a
/// coroutine awaits it with use_awaitable (the innermost frame is then Asio's initiation); with
/// `deferred` the innermost frame is the user's own coroutine and this is "" (not known).
std::string wait_reason(const std::vector<frame>& await_stack);

}  // namespace asio_console::console
