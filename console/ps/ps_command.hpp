// `asio-console ps`: this user's processes that serve asio-console (see
// discovery/process_directory.hpp), each with a one-look summary: live and idle tasks, and the
// site with the most live tasks.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "connection/target.hpp"
#include "model/state.hpp"

namespace asio_console::console {

/// Prints the table to `out`; returns 0, or 1 after one line on `errors` (the directory refused).
/// Each entry refused (not a regular file of this user's alone) is one line on `errors`. Every
/// process is asked at once: one that does not answer within `timeout` is listed with why, and
/// the whole table takes about one `timeout`.
int run_ps(absl::Duration timeout, const model_limits& limits, std::ostream& out, std::ostream& errors);

/// The target of process `pid`, from its entry; the error is one line.
absl::StatusOr<target> target_of_process(std::int64_t pid);

/// True when `text` names a process id (digits only).
bool is_process_id(const std::string& text);

}  // namespace asio_console::console
