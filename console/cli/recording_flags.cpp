#include "absl/flags/flag.h"
#include "cli/flags.hpp"

ABSL_FLAG(std::string, max_bytes, "1GiB",
          "a recording stops before its file would pass this size (bytes, or with KiB, MiB, GiB, KB, MB, GB)");
