#include "absl/flags/flag.h"
#include "cli/flags.hpp"

ABSL_FLAG(bool, json, false, "print the version-1 JSON format instead of text");
ABSL_FLAG(bool, stacks, false,
          "print live tasks grouped by spawn site and where they wait (await stack), like Go's goroutine dump");
ABSL_FLAG(std::vector<std::string>, fail_on, {},
          "comma-separated lints (or all): exit with 3 when any of them fires, after printing as usual");
ABSL_FLAG(absl::Duration, sample_for, absl::Seconds(3),
          "longest time to keep sampling after the first snapshot (lints that compare samples need 2 more)");
ABSL_FLAG(std::optional<absl::Duration>, at, std::nullopt,
          "for a recording FILE: the moment to dump, from its start (default: its end)");
