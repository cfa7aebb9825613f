#include <algorithm>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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
ABSL_FLAG(std::string, max_snapshot, "256MiB",
          "the most one snapshot (or any publication) of the target may hold; past it the console stops reading it");
ABSL_FLAG(std::vector<std::string>, collapse, {},
          "comma-separated regular expressions: stack frames whose function matches are left out of displayed "
          "stacks (your own spawn wrappers); Asio's and the standard library's frames always are");

namespace asio_console::console {

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

absl::StatusOr<lint_set> lints_from_names(const std::vector<std::string>& names) {
  lint_set lints;
  for (const std::string& name : names) {
    if (name == "all") {
      for (lint_kind kind : all_lint_kinds) lints.insert(kind);
      continue;
    }
    const auto* known = std::find_if(all_lint_kinds.begin(), all_lint_kinds.end(),
                                     [&](lint_kind kind) { return lint_name(kind) == name; });
    if (known == all_lint_kinds.end()) {
      std::string choices;
      for (lint_kind kind : all_lint_kinds) absl::StrAppend(&choices, std::string(lint_name(kind)), ", ");
      return absl::InvalidArgumentError(
          absl::StrCat("--fail-on: no lint is called '", name, "'; the lints are ", choices, "and all"));
    }
    lints.insert(*known);
  }
  return lints;
}

absl::StatusOr<std::uint64_t> parse_byte_size(std::string_view flag, std::string_view given) {
  const std::string text(given);
  struct unit {
    std::string_view suffix;
    std::uint64_t bytes;
  };
  static constexpr unit units[] = {{"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"TiB", 1ull << 40},
                                   {"KB", 1000ull},      {"MB", 1000000ull}, {"GB", 1000000000ull},
                                   {"TB", 1000000000000ull}, {"B", 1}};
  std::string_view number = text;
  std::uint64_t scale = 1;
  for (const unit& u : units) {
    if (text.ends_with(u.suffix)) {
      number = std::string_view(text).substr(0, text.size() - u.suffix.size());
      scale = u.bytes;
      break;
    }
  }
  std::uint64_t count = 0;
  if (!absl::SimpleAtoi(std::string(number), &count) || count == 0 || count > ~std::uint64_t{0} / scale) {
    return absl::InvalidArgumentError(absl::StrCat("--", std::string(flag), "=", text,
                                                   ": expected a size such as 1000, 64KiB, 512MiB or 2GB"));
  }
  return count * scale;
}

namespace {
// Which command a flag belongs to, by the file that defines it.
bool belongs_to(const absl::CommandLineFlag& flag, const std::string& command) {
  const std::string file = flag.Filename();  // a string, not a view: Filename() returns one by value
  if (absl::StrContains(file, "cli/common_flags")) return true;
  if (command == "dump") return absl::StrContains(file, "cli/dump_flags");
  if (command == "record") return absl::StrContains(file, "cli/record_flags") || absl::StrContains(file, "cli/recording_flags");
  if (command == "replay") return absl::StrContains(file, "cli/ui_flags") && flag.Name() != "record";
  if (command == "ps") return false;
  return absl::StrContains(file, "cli/ui_flags") || absl::StrContains(file, "cli/recording_flags");
}
}  // namespace

void configure_help(const std::string& command) {
  const std::string targets =
      "TARGET is host:port (default 127.0.0.1:6669), unix:PATH, or the PID of a process that serves\n"
      "asio-console (asio-console ps lists them).";
  if (command == "dump") {
    absl::SetProgramUsageMessage(absl::StrCat(
        "usage: asio-console dump [TARGET | FILE] [--json | --stacks] [--at=DURATION] [flags]\n\n"
        "Connects to an instrumented process, takes one snapshot (and samples a few seconds more for\n"
        "the lints that compare samples), prints it and exits: 0 on success, 1 when the target cannot\n"
        "be read, 2 for a usage error, 3 when a lint of --fail-on fired. With a recording FILE\n"
        "(asio-console record), prints it as of --at (default: its end). ", targets));
  } else if (command == "record") {
    absl::SetProgramUsageMessage(absl::StrCat(
        "usage: asio-console record [TARGET] --output=FILE [--duration=D] [--max-bytes=N] [flags]\n\n"
        "Writes what the target streams (snapshots, changes, symbolized stacks) to FILE until --duration\n"
        "passes, Ctrl-C, or the file would pass --max-bytes; the file is valid at each of those moments.\n"
        "Read it with asio-console replay FILE or asio-console dump FILE. ", targets));
  } else if (command == "replay") {
    absl::SetProgramUsageMessage(
        "usage: asio-console replay FILE [flags]\n\n"
        "The terminal UI fed from a recording (asio-console record, or asio-console --record=FILE):\n"
        "space pauses, , and . step one publication, [ and ] jump 10 s, { and } to the start and the end.");
  } else if (command == "ps") {
    absl::SetProgramUsageMessage(
        "usage: asio-console ps [--timeout=D]\n\n"
        "Lists this user's processes that serve asio-console (pid, program, address, live and idle\n"
        "tasks, the site with the most live tasks); attach to one with asio-console PID.");
  } else {
    absl::SetProgramUsageMessage(absl::StrCat(
        "usage: asio-console [TARGET] [--record=FILE] [flags]   the terminal UI (press ? in it for the keys)\n"
        "       asio-console dump [TARGET | FILE] [--json]       one snapshot, printed (dump --help)\n"
        "       asio-console record [TARGET] --output=FILE       a recording (record --help)\n"
        "       asio-console replay FILE                         the UI on a recording (replay --help)\n"
        "       asio-console ps                                  the processes to attach to, by pid\n\n",
        targets));
  }
}

std::string foreign_flag(const std::string& command) {
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    // Changed from its default: given (Abseil keeps whether it was given to itself).
    if (flag->CurrentValue() == flag->DefaultValue() || belongs_to(*flag, command)) continue;
    const std::string file = flag->Filename();
    if (!absl::StrContains(file, "cli/")) continue;  // Abseil's own (--flagfile, ...)
    return absl::StrCat("--", absl::StrReplaceAll(flag->Name(), {{"_", "-"}}), " is not a flag of ",
                        command.empty() ? "the terminal UI" : absl::StrCat("asio-console ", command));
  }
  return {};
}

bool asks_for_help(const std::vector<std::string>& args) {
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i] == "--help" || args[i] == "-help" || args[i] == "-h" || args[i] == "--helpfull") return true;
  }
  return false;
}

void print_help(std::ostream& out, const std::string& command) {
  out << absl::ProgramUsageMessage() << "\n\nflags (dashes or underscores, --flag=value):\n";
  std::vector<const absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (belongs_to(*flag, command)) flags.push_back(flag);
  }
  std::sort(flags.begin(), flags.end(), [](const auto* a, const auto* b) { return a->Name() < b->Name(); });
  for (const absl::CommandLineFlag* flag : flags) {
    const std::string name = absl::StrReplaceAll(flag->Name(), {{"_", "-"}});
    out << "  --" << name << " (default " << flag->DefaultValue() << ")\n      " << flag->Help() << "\n";
  }
}

}  // namespace asio_console::console
