// Deep mode's record of what woke a task, in one word beside its task_record (wake_word_of): the
// id of the resource whose operation completed (40 bits), the operation's name (an index into a
// table of the names seen, 8 bits) and the task's schedule count when it completed (its low 16
// bits). The completion comes just before the wake it causes, so it woke the task's last poll while
// at most one schedule came since; a later wake (a post, a yield) makes it stale.
#pragma once

#include <cstdint>
#include <optional>

namespace asio_console::deep::detail {

/// The word for a completion of `operation` (a string literal) on resource `resource_id` while the
/// task had been scheduled `schedules` times; 0 when the name table is full (256 names).
std::uint64_t make_wake_word(std::uint64_t resource_id, const char* operation, std::uint64_t schedules) noexcept;

struct wake_source {
  std::uint64_t resource_id = 0;
  const char* operation = nullptr;
};

/// What `word` says woke the task, if it still holds now that the task was scheduled `schedules`
/// times.
std::optional<wake_source> read_wake_word(std::uint64_t word, std::uint64_t schedules) noexcept;

}  // namespace asio_console::deep::detail
