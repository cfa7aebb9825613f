#include "absl/flags/flag.h"
#include "cli/flags.hpp"

ABSL_FLAG(std::string, output, "", "the file to write (required)");
ABSL_FLAG(absl::Duration, duration, absl::InfiniteDuration(), "stop after this long (default: at Ctrl-C)");
