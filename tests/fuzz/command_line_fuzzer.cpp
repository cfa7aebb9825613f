// asio-console's command line, as main() reads it before it runs a command: the input is the
// arguments, one a line. Every flag, value, lint name, byte size, collapse pattern and target a
// careless user types must be accepted or be one error line; none may crash or hang the console.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "cli/flags.hpp"
#include "connection/target.hpp"
#include "model/frame_filter.hpp"
#include "ps/ps_command.hpp"

namespace {
namespace console = asio_console::console;

void expect_one_line(const absl::Status& status) {
  if (status.ok() || status.message().empty()) {
    if (!status.ok()) std::abort();  // an error must say something
    return;
  }
  // A message quotes what the user typed, which is one line each here (the input is split at
  // newlines); anything else it adds must not break the line either.
  if (status.message().find('\n') != std::string_view::npos) {
    std::fprintf(stderr, "an error of more than one line: %s\n", std::string(status.message()).c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return -1;  // a command line, not a file
  std::vector<std::string> arguments = {"asio-console"};
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty() && arguments.size() < 32) {
    const std::size_t end = rest.find('\n');
    arguments.emplace_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);

  absl::FlagSaver defaults_again;  // each input starts from the defaults
  absl::StatusOr<std::vector<std::string>> positional =
      console::parse_flags(static_cast<int>(arguments.size()), argv.data());
  expect_one_line(positional.status());
  if (!positional.ok()) return 0;
  for (std::string_view command : console::commands) {
    if (std::string foreign = console::foreign_flag(std::string(command)); foreign.find('\n') != std::string::npos) {
      std::abort();
    }
  }
  (void)console::thresholds_from_flags();
  expect_one_line(console::frame_filter::with_collapsed(absl::GetFlag(FLAGS_collapse)).status());
  expect_one_line(console::lints_from_names(absl::GetFlag(FLAGS_fail_on)).status());
  expect_one_line(console::parse_byte_size("max-bytes", absl::GetFlag(FLAGS_max_bytes)).status());
  for (const std::string& named : *positional) {
    if (!console::is_process_id(named)) expect_one_line(console::parse_target(named).status());
  }
  return 0;
}
