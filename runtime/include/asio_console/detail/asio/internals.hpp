// Everything asio_console knows about Asio's internals, in one place: one part per range of Asio
// versions whose internals were checked, each pinned by compile-time checks, and a part for any
// other Asio that uses only Asio's public interface.
//
//   asio_1_26.hpp    Asio 1.26 (Boost 1.81)
//   asio_1_28.hpp    Asio 1.28 to 1.38 (Boost 1.83 to 1.90, standalone 1.28 to 1.38)
//   unverified.hpp   any other Asio: every task recorded; no await stacks, strands wrapped generically
//
// A part provides asio_internals::launch_task (co_spawn's launch, telling the recorder where the
// task's coroutine frames are when it knows), frames_checked and strand_checked (whether
// coroutine_frames.hpp and strand_task_executor.hpp apply); the checked parts launch through
// checked_launch.hpp and differ only in how they make the entry point, which also pins
// any_io_executor's 24-byte inline buffer that task_executor's sizes are chosen for. The
// handler-tracking hooks deep mode uses (asio_console/deep/handler_tracking.hpp) are Asio's
// documented custom-tracking interface, the same in every version.
//
// Supporting a new Asio release: check its internals against the newest part (impl/co_spawn.hpp's
// initiate_co_spawn, impl/awaitable.hpp's frames, strand.hpp), then widen that part's range or add
// a part, and add the release to the matrix (scripts/test.sh --asio-matrix).
//
// ASIO_CONSOLE_PRETEND_ASIO_VERSION (tests only) makes the choice as if Asio had that version.
#pragma once

#include "asio_console/detail/asio/flavor.hpp"
#include "asio_console/instrumentation/capabilities.hpp"

#if defined(ASIO_CONSOLE_PRETEND_ASIO_VERSION)
#define ASIO_CONSOLE_CHOSEN_ASIO_VERSION ASIO_CONSOLE_PRETEND_ASIO_VERSION
#else
#define ASIO_CONSOLE_CHOSEN_ASIO_VERSION ASIO_CONSOLE_ASIO_VERSION
#endif

#if ASIO_CONSOLE_CHOSEN_ASIO_VERSION >= 102600 && ASIO_CONSOLE_CHOSEN_ASIO_VERSION < 102700
#include "asio_console/detail/asio/asio_1_26.hpp"
#elif ASIO_CONSOLE_CHOSEN_ASIO_VERSION >= 102800 && ASIO_CONSOLE_CHOSEN_ASIO_VERSION < 103900
#include "asio_console/detail/asio/asio_1_28.hpp"
#else
#include "asio_console/detail/asio/unverified.hpp"
#endif

namespace asio_console::detail {

/// This translation unit's Asio, as the recorder reports it (instrumentation/capabilities.hpp).
inline constexpr instrumentation::detail::asio_build this_asio_build{
    .flavor = ASIO_CONSOLE_ASIO_NAME,
    .version = ASIO_CONSOLE_CHOSEN_ASIO_VERSION,
    .oldest_checked = 102600,
    .newest_checked = 103802,
    .frames_checked = asio_internals::frames_checked,
};

}  // namespace asio_console::detail
