#include "asio_console/instrumentation/recorder_options.hpp"

#include <cstdlib>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace asio_console::instrumentation {

recorder_options recorder_options::from_environment(std::vector<std::string>& problems) {
  recorder_options options;
  if (const char* text = std::getenv("ASIO_CONSOLE_RETENTION")) {
    absl::Duration retention;
    if (absl::ParseDuration(text, &retention) && retention >= absl::ZeroDuration() &&
        retention != absl::InfiniteDuration()) {
      options.retention = retention;
    } else {
      problems.push_back(absl::StrCat("ignoring ASIO_CONSOLE_RETENTION='", text,
                                      "': expected a duration such as 30s, 5m or 1h; keeping ",
                                      absl::FormatDuration(options.retention)));
    }
  }
  if (const char* text = std::getenv("ASIO_CONSOLE_MAX_RETAINED")) {
    std::size_t max_retained = 0;
    if (absl::SimpleAtoi(text, &max_retained)) {
      options.max_retained = max_retained;
    } else {
      problems.push_back(absl::StrCat("ignoring ASIO_CONSOLE_MAX_RETAINED='", text,
                                      "': expected a whole number; keeping ", options.max_retained));
    }
  }
  if (const char* text = std::getenv("ASIO_CONSOLE_STACKS")) {
    if (auto stacks = stack_sampling::parse(text); stacks.ok()) {
      options.stacks = *stacks;
    } else {
      problems.push_back(absl::StrCat("ignoring ASIO_CONSOLE_STACKS: ", stacks.status().message(),
                                      "; keeping ", options.stacks.to_string()));
    }
  }
  if (const char* text = std::getenv("ASIO_CONSOLE_AWAIT_STACKS")) {
    const std::string_view value = text;
    if (value == "on" || value == "off") {
      options.await_stacks = value == "on";
    } else {
      problems.push_back(absl::StrCat("ignoring ASIO_CONSOLE_AWAIT_STACKS='", text, "': expected on or off; keeping ",
                                      options.await_stacks ? "on" : "off"));
    }
  }
  return options;
}

}  // namespace asio_console::instrumentation
