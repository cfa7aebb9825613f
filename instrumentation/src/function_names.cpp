#include "asio_console/instrumentation/function_names.hpp"

namespace asio_console::instrumentation {
namespace {

constexpr std::string_view anonymous_namespace = "(anonymous namespace)";

// The first "(" at or after `from` that opens an argument list: not inside template arguments or
// a lambda's name ("{lambda()#1}"), not an "(anonymous namespace)".
std::size_t argument_list(std::string_view name, std::size_t from) {
  int depth = 0;
  for (std::size_t i = from; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '<' || c == '{') {
      ++depth;
    } else if ((c == '>' || c == '}') && depth > 0) {
      --depth;
    } else if (c == '(' && depth == 0 && !name.substr(i).starts_with(anonymous_namespace)) {
      return i;
    }
  }
  return std::string_view::npos;
}

// `name` without the template arguments it ends with: "f<int>" -> "f".
std::string_view without_template_arguments(std::string_view name) {
  if (!name.ends_with('>')) return name;
  int depth = 0;
  for (std::size_t i = name.size(); i-- > 0;) {
    if (name[i] == '>') ++depth;
    if (name[i] == '<' && --depth == 0) return name.substr(0, i);
  }
  return name;
}

}  // namespace

std::string readable_function_name(std::string_view name) {
  // The symbol table adds the part of the coroutine it is: " [clone .actor]", " [clone .destroy]".
  if (const std::size_t clone = name.rfind(" [clone ."); clone != std::string_view::npos && name.ends_with("]")) {
    name = name.substr(0, clone);
  }
  const std::size_t frame = name.find("::_Z");
  if (frame == std::string_view::npos || !name.ends_with(".Frame*)")) return std::string(name);
  // name = [return type] F "(" F args "::_Z..." : find the "(" after which F's name repeats.
  for (std::size_t open = argument_list(name, 0); open != std::string_view::npos && open < frame;
       open = argument_list(name, open + 1)) {
    const std::string_view inner = name.substr(open + 1, frame - open - 1);
    const std::string_view inner_name = without_template_arguments(inner.substr(0, argument_list(inner, 0)));
    if (!inner_name.empty() && name.substr(0, open).ends_with(inner_name)) return std::string(inner);
  }
  return std::string(name);
}

}  // namespace asio_console::instrumentation
