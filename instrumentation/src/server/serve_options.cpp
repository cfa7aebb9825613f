#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "asio_console/serve.hpp"
#include "environment.hpp"

namespace asio_console {

serve_options serve_options::from_environment(std::vector<std::string>& problems) {
  serve_options options;
  if (const char* text = std::getenv("ASIO_CONSOLE_BIND"); text != nullptr && *text != '\0') {
    options.bind = text;
  }
  if (const char* text = std::getenv("ASIO_CONSOLE_METRICS_BIND"); text != nullptr && *text != '\0') {
    options.metrics_bind = text;
  }
  instrumentation::detail::read_environment(
      "ASIO_CONSOLE_METRICS_TOP_SITES", options.metrics_top_sites,
      [](absl::string_view text) -> absl::StatusOr<std::size_t> {
        std::size_t top = 0;
        if (absl::SimpleAtoi(text, &top) && top <= 10'000) return top;
        return absl::InvalidArgumentError("expected a whole number from 0 to 10000");
      },
      [](std::size_t n) { return absl::StrCat(n); }, problems);
  instrumentation::detail::read_environment(
      "ASIO_CONSOLE_PUBLISH_INTERVAL", options.publish_interval,
      [](absl::string_view text) -> absl::StatusOr<absl::Duration> {
        absl::Duration interval;
        if (absl::ParseDuration(text, &interval) && interval >= absl::Milliseconds(10) &&
            interval <= absl::Minutes(10)) {
          return interval;
        }
        return absl::InvalidArgumentError("expected a duration from 10ms to 10m such as 500ms or 2s");
      },
      [](absl::Duration d) { return absl::FormatDuration(d); }, problems);
  instrumentation::detail::read_environment(
      "ASIO_CONSOLE_STALL_TIMEOUT", options.stall_timeout,
      [](absl::string_view text) -> absl::StatusOr<absl::Duration> {
        absl::Duration timeout;
        if (absl::ParseDuration(text, &timeout) && timeout >= absl::Seconds(1) && timeout <= absl::Hours(1)) {
          return timeout;
        }
        return absl::InvalidArgumentError("expected a duration from 1s to 1h such as 10s or 2m");
      },
      [](absl::Duration d) { return absl::FormatDuration(d); }, problems);
  instrumentation::detail::read_environment(
      "ASIO_CONSOLE_ALLOW_REMOTE", options.allow_remote,
      [](absl::string_view text) -> absl::StatusOr<bool> {
        const std::string value = absl::AsciiStrToLower(text);
        if (value == "1" || value == "true" || value == "yes") return true;
        if (value == "0" || value == "false" || value == "no" || value.empty()) return false;
        return absl::InvalidArgumentError("expected 1 or 0");
      },
      [](bool allowed) { return allowed ? "1" : "0"; }, problems);
  return options;
}

}  // namespace asio_console
