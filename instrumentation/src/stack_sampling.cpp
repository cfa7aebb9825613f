#include "asio_console/instrumentation/stack_sampling.hpp"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace asio_console::instrumentation {

absl::StatusOr<stack_sampling> stack_sampling::parse(std::string_view input) {
  // Debian's Abseil has its own string_view type.
  const absl::string_view text = absl::StripAsciiWhitespace(absl::string_view(input.data(), input.size()));
  if (text == "off") return off();
  if (text == "all") return all();
  const auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected off, all, or first=N,every=M (e.g. first=16,every=64), got '", text, "'"));
  };
  if (text.empty()) return invalid();
  stack_sampling result;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::uint64_t value = 0;
    if (absl::ConsumePrefix(&part, "first=") && absl::SimpleAtoi(part, &value)) {
      result.first = value;
    } else if (absl::ConsumePrefix(&part, "every=") && absl::SimpleAtoi(part, &value)) {
      result.every = value;
    } else {
      return invalid();
    }
  }
  return result;
}

std::string stack_sampling::to_string() const {
  if (*this == off()) return "off";
  if (*this == all()) return "all";
  return absl::StrCat("first=", first, ",every=", every);
}

}  // namespace asio_console::instrumentation
