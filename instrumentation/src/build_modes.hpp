// Whether the program's translation units agree on deep mode (pending_operations.cpp).
#pragma once

#include <string>

namespace asio_console::deep::detail {

/// One line for stderr when some translation units were built deep and others not; else empty.
std::string mixed_build_warning();

}  // namespace asio_console::deep::detail
