#include "asio_console/instrumentation/function_names.hpp"

namespace asio_console::instrumentation {

std::string readable_function_name(std::string_view name) {
  // The symbol table adds the part of the coroutine it is: " [clone .actor]", " [clone .destroy]".
  if (const std::size_t clone = name.rfind(" [clone ."); clone != std::string_view::npos && name.ends_with("]")) {
    name = name.substr(0, clone);
  }
  const std::size_t frame = name.find("::_Z");
  if (frame == std::string_view::npos || !name.ends_with(".Frame*)")) return std::string(name);
  // name = [return type] F "(" F args "::_Z..." : find the "(" after which F's name repeats.
  for (std::size_t open = name.find('('); open != std::string_view::npos && open < frame;
       open = name.find('(', open + 1)) {
    const std::string_view inner = name.substr(open + 1, frame - open - 1);
    const std::string_view inner_name = inner.substr(0, inner.find('('));
    if (!inner_name.empty() && name.substr(0, open).ends_with(inner_name)) return std::string(inner);
  }
  return std::string(name);
}

}  // namespace asio_console::instrumentation
