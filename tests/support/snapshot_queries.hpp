// Small helpers for tests that look tasks up in a recorder snapshot.
#pragma once

#include <asio_console/instrumentation/snapshot.hpp>
#include <optional>
#include <string_view>
#include <vector>

namespace asio_console::testing {

using instrumentation::registry_snapshot;
using instrumentation::task_snapshot;

inline registry_snapshot snapshot() { return instrumentation::take_snapshot(); }

/// The task with this id, if the snapshot has it.
inline std::optional<task_snapshot> task_by_id(const registry_snapshot& snap, std::uint64_t id) {
  for (const task_snapshot& task : snap.tasks) {
    if (task.id == id) return task;
  }
  return std::nullopt;
}

/// The newest task with this name (names are unique per test by convention).
inline std::optional<task_snapshot> task_named(const registry_snapshot& snap, std::string_view name) {
  std::optional<task_snapshot> found;
  for (const task_snapshot& task : snap.tasks) {
    if (task.name == name) found = task;
  }
  return found;
}

/// The id of the newest task with this name in a fresh snapshot; 0 when there is none.
inline std::uint64_t id_of_task_named(std::string_view name) {
  const std::optional<task_snapshot> task = task_named(snapshot(), name);
  return task ? task->id : 0;
}

/// Tasks whose parent is `parent_id`.
inline std::vector<task_snapshot> children_of(const registry_snapshot& snap, std::uint64_t parent_id) {
  std::vector<task_snapshot> result;
  for (const task_snapshot& task : snap.tasks) {
    if (task.parent_id == parent_id) result.push_back(task);
  }
  return result;
}

/// The id of the task polled on this thread (0 outside tasks).
inline std::uint64_t current_task_id() {
  const instrumentation::task_record* record = instrumentation::current_task();
  return record != nullptr ? record->id() : 0;
}

}  // namespace asio_console::testing
