// Function names as people read them.
#pragma once

#include <string>
#include <string_view>

namespace asio_console::instrumentation {

/// GCC names the body of a coroutine `f(args)` as "f(f(args)::_Z...Frame*)", both in
/// std::source_location and in the symbol table (there followed by " [clone .actor]"); this returns
/// "f(args)". Other names are returned unchanged.
std::string readable_function_name(std::string_view name);

}  // namespace asio_console::instrumentation
