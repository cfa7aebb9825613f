// `asio-console dump` without --json: the same facts laid out for a person reading a terminal or a
// bug report (counts by state, warnings, sites with their top stacks, every task).
#pragma once

#include <ostream>
#include <string_view>

#include "model/frame_filter.hpp"
#include "model/state.hpp"

namespace asio_console::console {

void write_text_report(std::ostream& out, std::string_view target, const state& model, const frame_filter& frames);

}  // namespace asio_console::console
