// The Asio the recorder's tests run against: Boost.Asio, or standalone Asio when the recorder is
// built on it (ASIO_CONSOLE_STANDALONE_ASIO). Tests name it `asio` (asio_console::testing::asio)
// and its error code asio_console::testing::error_code, so that one test source checks both.
#pragma once

#if defined(ASIO_CONSOLE_STANDALONE_ASIO)
#include <asio.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/experimental/channel.hpp>
#include <asio/experimental/parallel_group.hpp>

namespace asio_console::testing {
namespace asio = ::asio;
using error_code = ::asio::error_code;
}  // namespace asio_console::testing
#else
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/experimental/parallel_group.hpp>

namespace asio_console::testing {
namespace asio = ::boost::asio;
using error_code = ::boost::system::error_code;
}  // namespace asio_console::testing
#endif
