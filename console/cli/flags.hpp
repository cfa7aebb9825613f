// The asio-console command line: flags shared by the terminal UI and `dump`, and each one's own.
//
// Flags are Abseil flags, read by parse_flags() rather than Abseil's parser so that a bad one is a
// usage error like any other (one line, exit code 2). Their names are written with dashes on the
// command line (`--retain-for=30s`); underscores work too.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string_view>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "model/lints.hpp"

// Both commands (cli/common_flags.cpp).
ABSL_DECLARE_FLAG(absl::Duration, timeout);
ABSL_DECLARE_FLAG(absl::Duration, idle_too_long);
ABSL_DECLARE_FLAG(absl::Duration, never_woken_after);
ABSL_DECLARE_FLAG(absl::Duration, long_poll);
ABSL_DECLARE_FLAG(double, self_wakes_percent);
ABSL_DECLARE_FLAG(int, leak_intervals);
ABSL_DECLARE_FLAG(std::uint64_t, leak_min_growth);
ABSL_DECLARE_FLAG(double, leak_idle_percent);
ABSL_DECLARE_FLAG(absl::Duration, growth_window);
ABSL_DECLARE_FLAG(std::vector<std::string>, collapse);
ABSL_DECLARE_FLAG(std::string, max_snapshot);
// The terminal UI (cli/ui_flags.cpp).
ABSL_DECLARE_FLAG(bool, no_colors);
ABSL_DECLARE_FLAG(absl::Duration, retain_for);
ABSL_DECLARE_FLAG(std::string, record);
// dump (cli/dump_flags.cpp).
ABSL_DECLARE_FLAG(bool, json);
ABSL_DECLARE_FLAG(bool, stacks);
ABSL_DECLARE_FLAG(std::vector<std::string>, fail_on);
ABSL_DECLARE_FLAG(absl::Duration, sample_for);
ABSL_DECLARE_FLAG(std::optional<absl::Duration>, at);
// record (cli/record_flags.cpp), and what it shares with the terminal UI's --record (cli/recording_flags.cpp).
ABSL_DECLARE_FLAG(std::string, output);
ABSL_DECLARE_FLAG(absl::Duration, duration);
ABSL_DECLARE_FLAG(std::string, max_bytes);

namespace asio_console::console {

/// Sets the flags in argv[1..] (`--name=value`, `--name value`, `--bool`, `--nobool`; names with
/// dashes or underscores) and returns the other arguments, in order; everything after a lone "--"
/// is an argument. An unknown flag, a missing or bad value, or a negative duration is an error
/// whose message names the flag (cli/parse_flags.cpp).
absl::StatusOr<std::vector<std::string>> parse_flags(int argc, char** argv);

/// The lint thresholds the flags set.
lint_thresholds thresholds_from_flags();

/// The lints `--fail-on` names ("all": every one); an error names the unknown one and the known.
absl::StatusOr<lint_set> lints_from_names(const std::vector<std::string>& names);

/// "512MiB", "2GB", "1000" -> bytes; the error names the flag and the forms it takes.
absl::StatusOr<std::uint64_t> parse_byte_size(std::string_view flag, std::string_view text);

/// The commands: the terminal UI (""), "dump", "record", "replay", "ps".
inline constexpr std::string_view commands[] = {"", "dump", "record", "replay", "ps"};

/// Sets the usage message of one command.
void configure_help(const std::string& command);

/// Empty if every flag set (to other than its default) belongs to `command`; else one line naming
/// the first that does not.
std::string foreign_flag(const std::string& command);

/// True if the arguments ask for help (--help, -h, --helpfull).
bool asks_for_help(const std::vector<std::string>& args);

/// Prints the usage and the flags of `command`, written with dashes, and their defaults.
void print_help(std::ostream& out, const std::string& command);

}  // namespace asio_console::console
