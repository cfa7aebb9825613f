#include "asio_console/instrumentation/recorder_options.hpp"

#include "absl/strings/numbers.h"
#include "environment.hpp"

namespace asio_console::instrumentation {

recorder_options recorder_options::from_environment(std::vector<std::string>& problems) {
  recorder_options options;
  const auto duration_text = [](absl::Duration d) { return absl::FormatDuration(d); };
  detail::read_environment(
      "ASIO_CONSOLE_RETENTION", options.retention,
      [](absl::string_view text) -> absl::StatusOr<absl::Duration> {
        absl::Duration retention;
        if (absl::ParseDuration(text, &retention) && retention >= absl::ZeroDuration() &&
            retention != absl::InfiniteDuration()) {
          return retention;
        }
        return absl::InvalidArgumentError("expected a duration such as 30s, 5m or 1h");
      },
      duration_text, problems);
  detail::read_environment(
      "ASIO_CONSOLE_MAX_RETAINED", options.max_retained,
      [](absl::string_view text) -> absl::StatusOr<std::size_t> {
        std::size_t max_retained = 0;
        if (absl::SimpleAtoi(text, &max_retained)) return max_retained;
        return absl::InvalidArgumentError("expected a whole number");
      },
      [](std::size_t n) { return absl::StrCat(n); }, problems);
  detail::read_environment(
      "ASIO_CONSOLE_STACKS", options.stacks,
      [](absl::string_view text) { return stack_sampling::parse(std::string_view(text.data(), text.size())); },
      [](const stack_sampling& s) { return s.to_string(); }, problems);
  detail::read_environment(
      "ASIO_CONSOLE_AWAIT_STACKS", options.await_stacks,
      [](absl::string_view text) -> absl::StatusOr<bool> {
        if (text == "on" || text == "off") return text == "on";
        return absl::InvalidArgumentError("expected on or off");
      },
      [](bool on) { return on ? "on" : "off"; }, problems);
  detail::read_environment(
      "ASIO_CONSOLE_LONG_POLL", options.long_poll,
      [](absl::string_view text) -> absl::StatusOr<absl::Duration> {
        absl::Duration threshold;
        if (absl::ParseDuration(text, &threshold) && threshold > absl::ZeroDuration() &&
            threshold <= absl::Hours(1)) {
          return threshold;
        }
        return absl::InvalidArgumentError("expected a duration from 1ns to 1h such as 50ms");
      },
      duration_text, problems);
  return options;
}

}  // namespace asio_console::instrumentation
