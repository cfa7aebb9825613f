#include "absl/flags/flag.h"
#include "cli/flags.hpp"

ABSL_FLAG(bool, no_colors, false, "draw without colors");
ABSL_FLAG(absl::Duration, retain_for, absl::Seconds(6), "how long completed tasks stay listed after they finished");
ABSL_FLAG(std::string, record, "", "also record what the console shows to this file (see asio-console record)");
