#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "cli/flags.hpp"

ABSL_FLAG(absl::Duration, timeout, absl::Seconds(5), "how long the target may take to answer");
ABSL_FLAG(absl::Duration, idle_too_long, absl::Seconds(30), "idle-too-long: a task idle without a break for longer");
ABSL_FLAG(absl::Duration, never_woken_after, absl::Seconds(1),
          "never-woken: idle this long with no pending operation");
ABSL_FLAG(absl::Duration, long_poll, absl::Milliseconds(100), "long-poll: one poll held its thread longer");
ABSL_FLAG(double, self_wakes_percent, 50, "self-wakes: more than this percentage of a task's wakes are its own");
ABSL_FLAG(int, leak_intervals, 2,
          "leak-suspect: a site's live count rose in each of this many publications in a row ...");
ABSL_FLAG(std::uint64_t, leak_min_growth, 10, "... and by at least this many tasks over the growth window ...");
ABSL_FLAG(double, leak_idle_percent, 80, "... while at least this percentage of its tasks are idle");
ABSL_FLAG(absl::Duration, growth_window, absl::Seconds(60), "how far back a site's growth per minute looks");

namespace asio_console::console {

std::vector<std::string> normalize_flag_names(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string& arg = args[i];
    if (arg == "--") break;
    if (!absl::StartsWith(arg, "-") || arg.size() < 2) continue;
    const std::size_t name_begin = absl::StartsWith(arg, "--") ? 2 : 1;
    const std::size_t name_end = std::min(arg.find('='), arg.size());
    for (std::size_t c = name_begin; c < name_end; ++c) {
      if (arg[c] == '-') arg[c] = '_';
    }
  }
  return args;
}

lint_thresholds thresholds_from_flags() {
  lint_thresholds t;
  t.idle_too_long = absl::GetFlag(FLAGS_idle_too_long);
  t.never_woken_after = absl::GetFlag(FLAGS_never_woken_after);
  t.long_poll = absl::GetFlag(FLAGS_long_poll);
  t.self_wake_percent = absl::GetFlag(FLAGS_self_wakes_percent);
  t.leak_growth_intervals = absl::GetFlag(FLAGS_leak_intervals);
  t.leak_min_growth = absl::GetFlag(FLAGS_leak_min_growth);
  t.leak_idle_percent = absl::GetFlag(FLAGS_leak_idle_percent);
  return t;
}

void configure_help(const std::string& command) {
  absl::FlagsUsageConfig config;
  config.contains_help_flags = [command](absl::string_view file) {
    if (absl::StrContains(file, "cli/common_flags")) return true;
    return command == "dump" ? absl::StrContains(file, "cli/dump_flags") : absl::StrContains(file, "cli/ui_flags");
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  config.normalize_filename = [](absl::string_view file) {
    const std::size_t at = file.rfind("console/cli/");
    return std::string(at == absl::string_view::npos ? file : file.substr(at + 8));
  };
  config.version_string = [] { return std::string("asio-console 0.1.0 (protocol version 1)\n"); };
  absl::SetFlagsUsageConfig(config);
  if (command == "dump") {
    absl::SetProgramUsageMessage(
        "asio-console dump [TARGET] [--json]: connect to an instrumented process, take one snapshot "
        "(sampling a few seconds for the lints that compare samples), print it and exit.\n"
        "TARGET is host:port (default 127.0.0.1:6669) or unix:PATH. Flags are written with dashes "
        "(--sample-for=2s) or underscores.");
  } else {
    absl::SetProgramUsageMessage(
        "asio-console [TARGET]: a terminal UI for the tasks of an instrumented Boost.Asio process.\n"
        "asio-console dump [TARGET] [--json]: print one snapshot (see asio-console dump --help).\n"
        "TARGET is host:port (default 127.0.0.1:6669) or unix:PATH. Keys: press ? in the UI. Flags are "
        "written with dashes (--retain-for=30s) or underscores.");
  }
}

}  // namespace asio_console::console
