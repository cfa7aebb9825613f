// A stack as the text reports print it: one frame a line, function then file:line, at most a
// screenful.
#pragma once

#include <ostream>
#include <string_view>
#include <vector>

#include "model/state.hpp"

namespace asio_console::console {

/// Writes `frames` (innermost first), each line starting with `indent`; "(stack not symbolized)"
/// when there are none.
void write_stack_lines(std::ostream& out, const std::vector<const frame*>& frames, std::string_view indent);

}  // namespace asio_console::console
