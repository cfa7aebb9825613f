// The tasks view's table as data: its columns, and which tasks it lists in which order.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/state.hpp"

namespace asio_console::console {

enum class task_column : std::uint8_t { warn, id, parent, state, name, total, busy, sched, idle, polls, location, fields };

inline constexpr std::array<task_column, 12> all_task_columns = {
    task_column::warn, task_column::id,    task_column::parent, task_column::state,
    task_column::name, task_column::total, task_column::busy,   task_column::sched,
    task_column::idle, task_column::polls, task_column::location, task_column::fields};

/// The column's header: "Warn", "ID", "Parent", "State", "Name", "Total", ...
std::string_view column_title(task_column column) noexcept;

struct task_order {
  task_column column = task_column::total;
  bool descending = true;
};

/// "k=v k2=v2".
std::string format_fields(const task& t);

/// True when `filter` (case-insensitive) occurs in the task's name, location, function, fields, or
/// the functions of its await stack and what it waits for.
bool task_matches(const task& t, const state& model, std::string_view filter);

/// The tasks that match `filter`, sorted by `order` (ties by id ascending).
std::vector<const task*> list_tasks(const state& model, task_order order, std::string_view filter = {});

}  // namespace asio_console::console
