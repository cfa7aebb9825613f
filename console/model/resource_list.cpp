#include "model/resource_list.hpp"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "model/format.hpp"

namespace asio_console::console {

std::vector<const resource*> list_resources(const state& model, std::string_view filter) {
  std::vector<const resource*> rows;
  rows.reserve(model.resources().size());
  for (const auto& [id, r] : model.resources()) {
    if (!filter.empty() && !contains_ignoring_case(r.kind, filter) && !contains_ignoring_case(r.local, filter) &&
        !contains_ignoring_case(r.remote, filter) &&
        !(r.native_handle && contains_ignoring_case(absl::StrCat(*r.native_handle), filter))) {
      continue;
    }
    rows.push_back(&r);
  }
  std::sort(rows.begin(), rows.end(), [](const resource* a, const resource* b) {
    return a->closed() != b->closed() ? !a->closed() : a->id < b->id;
  });
  return rows;
}

std::vector<const task*> tasks_waiting_on(const state& model, const resource& r) {
  std::vector<const task*> rows;
  for (std::uint64_t id : model.tasks_waiting_on(r.id)) {
    if (const task* t = model.find_task(id)) rows.push_back(t);
  }
  return rows;
}

}  // namespace asio_console::console
