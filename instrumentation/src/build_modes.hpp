// What the translation units that spawn tasks said of how they were built, as a line for stderr
// when the recorder starts: whether they agree on deep mode (pending_operations.cpp), and whether
// their Asio's coroutine frames were checked (capabilities.cpp).
#pragma once

#include <string>

namespace asio_console::deep::detail {

/// One line for stderr when some translation units were built deep and others not; else empty.
std::string mixed_build_warning();

}  // namespace asio_console::deep::detail

namespace asio_console::instrumentation::detail {

/// One line for stderr when a translation unit's Asio was not checked (no await stacks); else empty.
std::string asio_build_warning();

}  // namespace asio_console::instrumentation::detail
