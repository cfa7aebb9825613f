// Which Asio asio_console is built on: Boost.Asio (the default) or standalone Asio
// (ASIO_CONSOLE_STANDALONE_ASIO, set by CMake's option of that name). Everything else in
// asio_console names Asio through what this header defines:
//
// - asio_console::detail::net, the namespace: boost::asio or ::asio;
// - ASIO_CONSOLE_ASIO_VERSION, Asio's version as BOOST_ASIO_VERSION / ASIO_VERSION write it
//   (1.28.2 is 102802);
// - net_system_error, the exception type Asio's operations throw.
//
// It includes the Asio headers the recorder's own headers use, in one place.
#pragma once

#if defined(ASIO_CONSOLE_STANDALONE_ASIO)
#include <asio/associator.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detail/strand_executor_service.hpp>
#include <asio/error.hpp>
#include <asio/execution.hpp>
#include <asio/execution_context.hpp>
#include <asio/io_context.hpp>
#include <asio/is_executor.hpp>
#include <asio/prefer.hpp>
#include <asio/query.hpp>
#include <asio/require.hpp>
#include <asio/strand.hpp>
#include <asio/system_error.hpp>
#include <asio/thread_pool.hpp>
#include <asio/version.hpp>
#define ASIO_CONSOLE_ASIO_VERSION ASIO_VERSION
#define ASIO_CONSOLE_ASIO_NAME "standalone Asio"
namespace asio_console::detail {
namespace net = ::asio;
using net_system_error = ::asio::system_error;
}  // namespace asio_console::detail
#else
#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detail/strand_executor_service.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/is_executor.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/version.hpp>
#include <boost/system/system_error.hpp>
#define ASIO_CONSOLE_ASIO_VERSION BOOST_ASIO_VERSION
#define ASIO_CONSOLE_ASIO_NAME "Boost.Asio"
namespace asio_console::detail {
namespace net = ::boost::asio;
using net_system_error = ::boost::system::system_error;
}  // namespace asio_console::detail
#endif
