// The resources view's rows: which resources it lists, in what order.
#pragma once

#include <string_view>
#include <vector>

#include "model/resource.hpp"
#include "model/state.hpp"

namespace asio_console::console {

/// The model's resources, open ones first (closed ones stay while the process retains them), by
/// id within each; with a `filter`, those whose kind, endpoints or file descriptor contain it
/// (ignoring case).
std::vector<const resource*> list_resources(const state& model, std::string_view filter);

/// The tasks waiting on `r` now, by id: what its resource screen lists.
std::vector<const task*> tasks_waiting_on(const state& model, const resource& r);

}  // namespace asio_console::console
