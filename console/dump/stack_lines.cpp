#include "dump/stack_lines.hpp"

#include "model/format.hpp"

namespace asio_console::console {

void write_stack_lines(std::ostream& out, const std::vector<const frame*>& frames, std::string_view indent) {
  constexpr std::size_t frames_shown = 8;
  if (frames.empty()) {
    out << indent << "(stack not symbolized)\n";
    return;
  }
  for (std::size_t shown = 0; shown < frames.size(); ++shown) {
    if (shown == frames_shown) {
      out << indent << "... " << frames.size() - frames_shown << " more frames\n";
      break;
    }
    const frame& f = *frames[shown];
    out << indent << short_function(f.function);
    if (!f.file.empty()) out << "  " << short_file(f.file) << ':' << f.line;
    out << '\n';
  }
}

}  // namespace asio_console::console
