// asio-console: the terminal UI (asio-console [TARGET]), and the commands dump, record, replay and ps.
#include <sys/stat.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "cli/flags.hpp"
#include "dump/dump_command.hpp"
#include "ps/ps_command.hpp"
#include "record/record_command.hpp"
#include "ui/ui_command.hpp"

namespace console = asio_console::console;

namespace {

int usage_error(const std::string& message) {
  std::cerr << "asio-console: " << message << " (see --help)\n";
  return 2;
}

bool names_a_file(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && !S_ISDIR(info.st_mode);
}

console::ui_options ui_options_from_flags(const console::lint_thresholds& thresholds, const console::frame_filter& frames,
                                          const console::model_limits& limits) {
  console::ui_options options;
  options.colors = !absl::GetFlag(FLAGS_no_colors);
  options.model.thresholds = thresholds;
  options.model.limits = limits;
  options.frames = frames;
  options.timeout = absl::GetFlag(FLAGS_timeout);
  options.model.retain_completed = absl::GetFlag(FLAGS_retain_for);
  options.model.growth_window = absl::GetFlag(FLAGS_growth_window);
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command;
  if (argc > 1) {
    for (std::string_view known : console::commands) {
      if (!known.empty() && argv[1] == known) command = known;
    }
  }
  console::configure_help(command);
  if (console::asks_for_help(std::vector<std::string>(argv, argv + argc))) {
    console::print_help(std::cout, command);
    return 0;
  }
  absl::StatusOr<std::vector<std::string>> arguments = console::parse_flags(argc, argv);
  if (!arguments.ok()) return usage_error(std::string(arguments.status().message()));
  std::vector<std::string> positional = *std::move(arguments);
  if (!command.empty()) positional.erase(positional.begin());  // the command
  if (const std::string foreign = console::foreign_flag(command); !foreign.empty()) return usage_error(foreign);
  const std::string what = command == "replay" ? "FILE" : command == "dump" ? "TARGET or FILE" : "TARGET";
  if (positional.size() > 1) return usage_error("expected at most one " + what + ", got " + std::to_string(positional.size()));
  const std::string named = positional.empty() ? std::string() : positional.front();

  const console::lint_thresholds thresholds = console::thresholds_from_flags();
  console::model_limits limits;
  absl::StatusOr<std::uint64_t> max_snapshot = console::parse_byte_size("max-snapshot", absl::GetFlag(FLAGS_max_snapshot));
  if (!max_snapshot.ok()) return usage_error(std::string(max_snapshot.status().message()));
  limits.publication_bytes = *max_snapshot;
  absl::StatusOr<console::frame_filter> frames = console::frame_filter::with_collapsed(absl::GetFlag(FLAGS_collapse));
  if (!frames.ok()) return usage_error(std::string(frames.status().message()));
  if (command == "ps") {
    if (!named.empty()) return usage_error("ps takes no argument");
    return console::run_ps(absl::GetFlag(FLAGS_timeout), limits, std::cout, std::cerr);
  }
  if (command == "replay") {
    if (named.empty()) return usage_error("replay needs the FILE to replay");
    return console::run_replay(named, ui_options_from_flags(thresholds, *frames, limits));
  }

  console::dump_options dump;
  if (command == "dump") {
    dump.json = absl::GetFlag(FLAGS_json);
    dump.stacks = absl::GetFlag(FLAGS_stacks);
    if (dump.json && dump.stacks) return usage_error("--json and --stacks are two different outputs; pick one");
    absl::StatusOr<console::lint_set> fail_on = console::lints_from_names(absl::GetFlag(FLAGS_fail_on));
    if (!fail_on.ok()) return usage_error(std::string(fail_on.status().message()));
    dump.fail_on = *fail_on;
    dump.model.thresholds = thresholds;
    dump.model.limits = limits;
    dump.frames = *frames;
    dump.timeout = absl::GetFlag(FLAGS_timeout);
    dump.sample_for = absl::GetFlag(FLAGS_sample_for);
    dump.extra_publications = thresholds.leak_growth_intervals;
    dump.model.growth_window = absl::GetFlag(FLAGS_growth_window);
    dump.at = absl::GetFlag(FLAGS_at);
    if (dump.at && *dump.at < absl::ZeroDuration()) return usage_error("--at must not be negative");
    if (!console::is_process_id(named) && names_a_file(named)) {
      return console::run_dump_recording(named, dump, std::cout, std::cerr);
    }
    if (dump.at) return usage_error("--at is for a recording FILE; \"" + named + "\" is none");
  }

  const std::string target_text = named.empty() ? std::string(console::default_target) : named;
  // A pid names the address its entry gives (asio-console ps); not finding it is no usage error.
  const bool by_pid = console::is_process_id(named);
  const absl::StatusOr<console::target> where =
      by_pid ? console::target_of_process(std::stoll(named)) : console::parse_target(target_text);
  if (by_pid && !where.ok()) {
    std::cerr << "asio-console: " << where.status().message() << '\n';
    return 1;
  }
  if (!where.ok()) {
    if (command == "dump") return usage_error(std::string(where.status().message()) + ", and there is no file of that name");
    return usage_error(std::string(where.status().message()));
  }
  if (command == "dump") return console::run_dump(*where, dump, std::cout, std::cerr);

  absl::StatusOr<std::uint64_t> max_bytes = console::parse_byte_size("max-bytes", absl::GetFlag(FLAGS_max_bytes));
  if (!max_bytes.ok()) return usage_error(std::string(max_bytes.status().message()));
  if (command == "record") {
    console::record_options record;
    record.output = absl::GetFlag(FLAGS_output);
    if (record.output.empty()) return usage_error("record needs --output=FILE");
    record.duration = absl::GetFlag(FLAGS_duration);
    if (record.duration <= absl::ZeroDuration()) return usage_error("--duration must be positive");
    record.max_bytes = *max_bytes;
    record.timeout = absl::GetFlag(FLAGS_timeout);
    record.model.thresholds = thresholds;
    record.model.limits = limits;
    return console::run_record(*where, record, std::cerr);
  }
  console::ui_options options = ui_options_from_flags(thresholds, *frames, limits);
  options.record = absl::GetFlag(FLAGS_record);
  options.max_record_bytes = *max_bytes;
  return console::run_ui(*where, options);
}
