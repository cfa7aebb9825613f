// `asio-console dump --json`: the version-1 JSON format (README.md, "JSON format"). Field names and
// their meaning are a contract outside scripts rely on: add fields, never rename or remove one.
#pragma once

#include <ostream>

#include "model/state.hpp"

namespace asio_console::console {

/// Writes `model` as one JSON document (and a newline). Tasks by id; sites by live count
/// descending, each site's stacks by count descending; warnings in lint order.
void write_json_report(std::ostream& out, const state& model);

}  // namespace asio_console::console
