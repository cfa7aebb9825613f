// Force-included (-include) into Boost's own example programs (e2e tests, benchmarks): it makes
// asio_console::co_spawn visible for their one-line switch and starts asio_console::serve() before
// main (at ASIO_CONSOLE_BIND), the way an application would first thing in main.
#pragma once

#include <asio_console/asio_console.hpp>

namespace asio_console::boost_examples {
inline asio_console::server serving = asio_console::serve();
}  // namespace asio_console::boost_examples
