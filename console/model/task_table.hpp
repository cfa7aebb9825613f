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

/// The tasks that match `filter`, sorted by `order` (ties by id ascending). `moves_with_time`, if
/// given, tells whether that order can change when only the model's time advances: the keys of
/// some of the tasks grow with it (a live task's total, an idle task's idle time) and others stay
/// (a completed task's total). Rows whose keys all grow, or all stay, keep their order.
std::vector<const task*> list_tasks(const state& model, task_order order, std::string_view filter = {},
                                    bool* moves_with_time = nullptr);

/// Whether the keys of listed rows grow as the model's time advances: some do, some do not, or
/// some cannot tell. Time reorders the rows only if they are mixed.
struct task_listing_growth {
  bool some_grow = false;
  bool some_stay = false;
  bool unknown = false;
  bool moves() const noexcept { return unknown || (some_grow && some_stay); }
};

/// The tasks view's rows, kept up to date with a model at the cost of what changed. Listed in full
/// only when the order or the filter changed, or the model cannot tell which tasks changed;
/// otherwise the tasks that changed leave their rows and take their new places, and the model's
/// time advancing reorders nothing unless it can (see list_tasks). Pointers into the model: valid
/// until it next changes, and update() brings them back in line.
class task_listing {
 public:
  void update(const state& model, task_order order, std::string_view filter);
  const std::vector<const task*>& rows() const noexcept { return rows_; }
  /// The rows' task ids, in the same order.
  const std::vector<std::uint64_t>& ids() const noexcept { return ids_; }

 private:
  void list_all(const state& model);
  bool move_changed(const state& model, const std::vector<std::uint64_t>& changed);

  std::vector<const task*> rows_;
  std::vector<std::uint64_t> ids_;
  bool listed_ = false;
  std::uint64_t version_ = 0;
  std::int64_t now_ns_ = 0;
  task_order order_;
  std::string filter_;
  task_listing_growth growth_;
};

}  // namespace asio_console::console
