// asio-console: see every Boost.Asio coroutine task of a running process.
//
//   #include <asio_console/asio_console.hpp>
//   asio_console::co_spawn(ctx, server(), boost::asio::detached);   // instead of boost::asio::co_spawn
//
// Everything a user program needs: co_spawn and task_options (recording), serve (consoles), the
// recorder's options and snapshots (for tests and dumps). With ASIO_CONSOLE_DISABLE all of it still
// compiles: co_spawn is boost::asio::co_spawn, serve() serves nothing, snapshots are empty.
#pragma once

#include "asio_console/co_spawn.hpp"
#include "asio_console/instrumentation/registry.hpp"
#include "asio_console/instrumentation/snapshot.hpp"
#include "asio_console/serve.hpp"
#include "asio_console/task_executor.hpp"
#include "asio_console/task_options.hpp"
