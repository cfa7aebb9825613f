#include <algorithm>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
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
ABSL_FLAG(std::vector<std::string>, collapse, {},
          "comma-separated regular expressions: stack frames whose function matches are left out of displayed "
          "stacks (your own spawn wrappers); Asio's and the standard library's frames always are");

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

namespace {
bool belongs_to(absl::string_view file, const std::string& command) {
  if (absl::StrContains(file, "cli/common_flags")) return true;
  return command == "dump" ? absl::StrContains(file, "cli/dump_flags") : absl::StrContains(file, "cli/ui_flags");
}
}  // namespace

void configure_help(const std::string& command) {
  if (command == "dump") {
    absl::SetProgramUsageMessage(
        "usage: asio-console dump [TARGET] [--json | --stacks] [flags]\n\n"
        "Connects to an instrumented process, takes one snapshot (and samples a few seconds more for\n"
        "the lints that compare samples), prints it and exits: 0 on success, 1 when the target cannot\n"
        "be read, 2 for a usage error. TARGET is host:port (default 127.0.0.1:6669) or unix:PATH.");
  } else {
    absl::SetProgramUsageMessage(
        "usage: asio-console [TARGET] [flags]        the terminal UI (press ? in it for the keys)\n"
        "       asio-console dump [TARGET] [--json]  one snapshot, printed (asio-console dump --help)\n\n"
        "TARGET is host:port (default 127.0.0.1:6669) or unix:PATH.");
  }
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
    if (belongs_to(flag->Filename(), command)) flags.push_back(flag);
  }
  std::sort(flags.begin(), flags.end(), [](const auto* a, const auto* b) { return a->Name() < b->Name(); });
  for (const absl::CommandLineFlag* flag : flags) {
    const std::string name = absl::StrReplaceAll(flag->Name(), {{"_", "-"}});
    out << "  --" << name << " (default " << flag->DefaultValue() << ")\n      " << flag->Help() << "\n";
  }
}

}  // namespace asio_console::console
