// `asio-console dump --stacks`: live tasks grouped the way Go's goroutine dump reads, by identical
// (spawn site, await stack). Each group is one block: how many tasks, their states, the longest and
// shortest time idle, where they wait (the await stack, library frames left out, and what the
// innermost frame waits for), then the group's most common sampled spawn stack. Groups are by
// count, largest first. It is what a user pastes into a bug report.
#pragma once

#include <ostream>
#include <string_view>

#include "model/frame_filter.hpp"
#include "model/state.hpp"

namespace asio_console::console {

/// Tasks' warnings must have been evaluated (evaluate_lints): groups with leak suspects say so.
void write_stacks_report(std::ostream& out, std::string_view target, const state& model, const frame_filter& frames);

}  // namespace asio_console::console
