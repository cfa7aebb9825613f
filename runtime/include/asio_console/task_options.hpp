// Optional, per-spawn description of a task: the last argument of asio_console::co_spawn.
//
//   asio_console::co_spawn(ex, session(std::move(socket)), boost::asio::detached,
//                          {.name = "session", .fields = {{"peer", peer}}});
//
// The strings are copied when the task is spawned, so they only need to live until co_spawn
// returns. `location` defaults to the caller of co_spawn. A spawn wrapper of your own should take a
// `std::source_location loc = std::source_location::current()` parameter and pass it here, so
// tasks are attributed to the wrapper's caller rather than to the wrapper (Rust's #[track_caller]).
//
// task_options is trivially destructible on purpose: GCC 12 destroys non-trivial temporaries in a
// co_await expression twice, and `co_await co_spawn(..., use_awaitable, {...})` is common.
#pragma once

#include <initializer_list>
#include <optional>
#include <source_location>
#include <string_view>
#include <type_traits>

namespace asio_console {

/// One key/value pair shown in the console's Fields column.
struct task_field {
  std::string_view key = {};
  std::string_view value = {};
};

struct task_options {
  /// Shown in the console's Name column; empty: none.
  std::string_view name = {};
  /// Shown in the console's Fields column and searchable with its filter.
  std::initializer_list<task_field> fields = {};
  /// The spawn site. Unset: the caller of co_spawn.
  std::optional<std::source_location> location = std::nullopt;
};

static_assert(std::is_trivially_destructible_v<task_options>);

}  // namespace asio_console
