// asio-console: the terminal UI (asio-console [TARGET]) and the dump command (asio-console dump).
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "cli/flags.hpp"
#include "dump/dump_command.hpp"
#include "ui/ui_command.hpp"

namespace console = asio_console::console;

namespace {

int usage_error(const std::string& message) {
  std::cerr << "asio-console: " << message << " (see --help)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 && std::string(argv[1]) == "dump" ? "dump" : "";
  console::configure_help(command);
  std::vector<std::string> normalized = console::normalize_flag_names(argc, argv);
  if (console::asks_for_help(normalized)) {
    console::print_help(std::cout, command);
    return 0;
  }
  std::vector<char*> args;
  for (std::string& arg : normalized) args.push_back(arg.data());
  std::vector<char*> positional = absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  positional.erase(positional.begin());                       // the program
  if (!command.empty()) positional.erase(positional.begin());  // "dump"
  if (positional.size() > 1) return usage_error("expected at most one TARGET, got " + std::to_string(positional.size()));

  const std::string target_text = positional.empty() ? std::string(console::default_target) : positional.front();
  absl::StatusOr<console::target> where = console::parse_target(target_text);
  if (!where.ok()) return usage_error(std::string(where.status().message()));

  const console::lint_thresholds thresholds = console::thresholds_from_flags();
  absl::StatusOr<console::frame_filter> frames = console::frame_filter::with_collapsed(absl::GetFlag(FLAGS_collapse));
  if (!frames.ok()) return usage_error(std::string(frames.status().message()));
  if (command == "dump") {
    console::dump_options options;
    options.json = absl::GetFlag(FLAGS_json);
    options.stacks = absl::GetFlag(FLAGS_stacks);
    if (options.json && options.stacks) return usage_error("--json and --stacks are two different outputs; pick one");
    absl::StatusOr<console::lint_set> fail_on = console::lints_from_names(absl::GetFlag(FLAGS_fail_on));
    if (!fail_on.ok()) return usage_error(std::string(fail_on.status().message()));
    options.fail_on = *fail_on;
    options.model.thresholds = thresholds;
    options.frames = *frames;
    options.timeout = absl::GetFlag(FLAGS_timeout);
    options.sample_for = absl::GetFlag(FLAGS_sample_for);
    options.extra_publications = thresholds.leak_growth_intervals;
    options.model.growth_window = absl::GetFlag(FLAGS_growth_window);
    return console::run_dump(*where, options, std::cout, std::cerr);
  }
  console::ui_options options;
  options.colors = !absl::GetFlag(FLAGS_no_colors);
  options.model.thresholds = thresholds;
  options.frames = *frames;
  options.timeout = absl::GetFlag(FLAGS_timeout);
  options.model.retain_completed = absl::GetFlag(FLAGS_retain_for);
  options.model.growth_window = absl::GetFlag(FLAGS_growth_window);
  return console::run_ui(*where, options);
}
