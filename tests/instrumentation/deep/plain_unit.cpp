// The plain half of mixed_build_example: it includes asio_console, not deep mode, and runs nothing.
#include <asio_console/co_spawn.hpp>

int plain_unit() { return 0; }
