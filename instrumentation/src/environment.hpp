// Reading ASIO_CONSOLE_* variables the one way the recorder and the server do: a value that does
// not parse is ignored with one line that says what was expected and what is kept, and the program
// goes on (a typo in an environment variable must not take a server down).
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace asio_console::instrumentation::detail {

/// If `name` is set, `parse(text)` gives its value, or an error whose message says what it expects;
/// then `value` stays and `problems` gets "ignoring NAME='text': <expected>; keeping <describe(value)>".
template <typename T, typename Parse, typename Describe>
void read_environment(const char* name, T& value, Parse parse, Describe describe, std::vector<std::string>& problems) {
  const char* text = std::getenv(name);
  if (text == nullptr) return;
  absl::StatusOr<T> parsed = parse(absl::string_view(text));
  if (parsed.ok()) {
    value = *std::move(parsed);
    return;
  }
  problems.push_back(
      absl::StrCat("ignoring ", name, "='", text, "': ", parsed.status().message(), "; keeping ", describe(value)));
}

}  // namespace asio_console::instrumentation::detail
