// `asio-console dump`: one look at a process, printed, for scripts and bug reports.
#pragma once

#include <ostream>

#include "connection/fetch.hpp"
#include "model/frame_filter.hpp"
#include "model/lints.hpp"

namespace asio_console::console {

struct dump_options {
  bool json = false;
  bool stacks = false;  // the goroutine-dump style grouping (stacks_report.hpp)
  fetch_options fetch;
  lint_thresholds thresholds;
  frame_filter frames;  // for the text form; JSON keeps every frame
};

/// Fetches, evaluates the lints and prints to `out`. Returns the exit code: 0, or 1 after one line on
/// `errors` saying why nothing could be printed.
int run_dump(const target& where, const dump_options& options, std::ostream& out, std::ostream& errors);

}  // namespace asio_console::console
