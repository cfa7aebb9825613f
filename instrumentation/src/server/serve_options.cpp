#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "asio_console/serve.hpp"

namespace asio_console {

serve_options serve_options::from_environment(std::vector<std::string>& problems) {
  serve_options options;
  if (const char* text = std::getenv("ASIO_CONSOLE_BIND"); text != nullptr && *text != '\0') {
    options.bind = text;
  }
  if (const char* text = std::getenv("ASIO_CONSOLE_PUBLISH_INTERVAL")) {
    absl::Duration interval;
    if (absl::ParseDuration(text, &interval) && interval >= absl::Milliseconds(10) &&
        interval <= absl::Minutes(10)) {
      options.publish_interval = interval;
    } else {
      problems.push_back(absl::StrCat("ignoring ASIO_CONSOLE_PUBLISH_INTERVAL='", text,
                                      "': expected a duration from 10ms to 10m such as 500ms or 2s; keeping ",
                                      absl::FormatDuration(options.publish_interval)));
    }
  }
  if (const char* text = std::getenv("ASIO_CONSOLE_ALLOW_REMOTE")) {
    const std::string value = absl::AsciiStrToLower(text);
    if (value == "1" || value == "true" || value == "yes") {
      options.allow_remote = true;
    } else if (value == "0" || value == "false" || value == "no" || value.empty()) {
      options.allow_remote = false;
    } else {
      problems.push_back(absl::StrCat("ignoring ASIO_CONSOLE_ALLOW_REMOTE='", text, "': expected 1 or 0"));
    }
  }
  return options;
}

}  // namespace asio_console
