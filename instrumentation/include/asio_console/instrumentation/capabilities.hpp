// What the recorder can record in this process, and why not where it cannot.
//
// Every task is recorded on every Asio (states, times, sites, spawn stacks, parents). Await
// stacks rest on Asio's internals (where a task's coroutine frames are), which asio_console reads
// only on the Asio versions whose internals were checked (asio_console/detail/asio/internals.hpp).
// A translation unit built against any other Asio spawns its tasks through Asio's public
// interface: they have no await stacks, and the recorder says so once, on stderr when it starts,
// in the console's title and dump header, and as `capabilities` in dump --json.
#pragma once

#include <string>

namespace asio_console::instrumentation {

struct capabilities {
  /// Whether tasks record where they are suspended.
  bool await_stacks = true;
  /// Why they do not; empty when they do. For example "Boost.Asio 1.39.0 is newer than the
  /// newest checked (1.38.2)".
  std::string reason;
};

/// What this process records, from what every translation unit that spawns tasks said of its Asio
/// and from the recorder's options (ASIO_CONSOLE_AWAIT_STACKS=off).
capabilities current_capabilities();

namespace detail {

/// One translation unit's Asio, as asio_console's co_spawn header sees it. Versions as Asio writes
/// them: 1.28.2 is 102802.
struct asio_build {
  const char* flavor;  // "Boost.Asio" or "standalone Asio"
  int version;
  int oldest_checked;
  int newest_checked;
  bool frames_checked;  // false: its tasks have no await stacks
};

/// Called once per translation unit that includes co_spawn.hpp, before main. Returns true.
bool note_asio_build(const asio_build& build) noexcept;

/// Why tasks of `build` have no await stacks ("" if they have them).
std::string unchecked_reason(const asio_build& build);

}  // namespace detail
}  // namespace asio_console::instrumentation
