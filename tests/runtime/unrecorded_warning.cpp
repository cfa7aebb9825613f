// Compiled (not run) by the test CoSpawn.UnrecordableSpawnIsReportedWhenCompiled: a spawn whose
// awaitable's executor type cannot carry a task executor must draw a warning that names the fix.
#include <asio_console/co_spawn.hpp>
#include <boost/asio.hpp>

boost::asio::awaitable<void, boost::asio::io_context::executor_type> concrete() { co_return; }

void spawn_it(boost::asio::io_context& ctx) { asio_console::co_spawn(ctx, concrete(), boost::asio::detached); }
