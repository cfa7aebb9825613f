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

#include "asio_console/detail/asio/flavor.hpp"

namespace asio_console::testing {

/// Whether Asio posts the completion of a coroutine that never suspends once its body has run (a
/// second poll, through a self-wake) so that no handler runs inside co_spawn: Asio 1.26 to 1.32
/// always do; 1.36 and later only when the body ran inside co_spawn itself, so a task started
/// from its executor's queue completes in its first poll.
inline constexpr bool posts_completion_after_body = ASIO_CONSOLE_ASIO_VERSION < 103600;

}  // namespace asio_console::testing
