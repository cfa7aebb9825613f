#include "model/label_table.hpp"

namespace asio_console::console {

const task_labels* label_table::acquire(const wire_ids& ids, absl::FunctionRef<std::string(std::uint32_t)> resolve) {
  if (ids.size() == 1 && ids[0] == 0) return &no_task_labels;
  auto it = entries_.find(ids);
  if (it == entries_.end()) {
    entry made;
    made.name = resolve(ids[0]);
    for (std::size_t i = 1; i + 1 < ids.size(); i += 2) made.fields.emplace_back(resolve(ids[i]), resolve(ids[i + 1]));
    made.ids = ids;
    it = entries_.insert(std::move(made)).first;
  }
  ++it->tasks;
  return &*it;
}

void label_table::release(const task_labels* labels) {
  if (labels == &no_task_labels) return;
  // Every other labels a task holds came from acquire(): an entry of this table.
  const entry& e = static_cast<const entry&>(*labels);
  if (--e.tasks == 0) entries_.erase(e.ids);
}

}  // namespace asio_console::console
