#include <optional>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "cli/flags.hpp"

namespace asio_console::console {
namespace {

// One of asio-console's own flags (declared in cli/), by its name with dashes or underscores.
absl::CommandLineFlag* own_flag(const std::string& name) {
  absl::CommandLineFlag* flag = absl::FindCommandLineFlag(absl::StrReplaceAll(name, {{"-", "_"}}));
  if (flag == nullptr || !absl::StrContains(flag->Filename(), "cli/")) return nullptr;  // Abseil's own
  return flag;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> parse_flags(int argc, char** argv) {
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") {
      positional.insert(positional.end(), argv + i + 1, argv + argc);
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positional.push_back(arg);
      continue;
    }
    const std::string body = arg.substr(absl::StartsWith(arg, "--") ? 2 : 1);
    const std::size_t equals = body.find('=');
    std::string name = body.substr(0, equals);
    std::optional<std::string> value;
    if (equals != std::string::npos) value = body.substr(equals + 1);
    absl::CommandLineFlag* flag = own_flag(name);
    if (flag == nullptr && absl::StartsWith(name, "no") && !value) {  // --nojson: a boolean's false
      flag = own_flag(name.substr(2));
      if (flag != nullptr && flag->IsOfType<bool>()) value = "false";
      else flag = nullptr;
    }
    if (flag == nullptr) return absl::InvalidArgumentError(absl::StrCat("unknown flag ", arg));
    const std::string shown = absl::StrCat("--", absl::StrReplaceAll(flag->Name(), {{"_", "-"}}));
    if (!value && flag->IsOfType<bool>()) value = "true";
    if (!value) {  // --timeout 3s
      if (i + 1 >= argc) return absl::InvalidArgumentError(absl::StrCat(shown, " needs a value"));
      value = argv[++i];
    }
    std::string error;
    if (!flag->ParseFrom(*value, &error)) {
      return absl::InvalidArgumentError(absl::StrCat(shown, "=", *value, ": not a valid value (", error, ")"));
    }
    if (const auto duration = flag->TryGet<absl::Duration>();
        duration && *duration < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(shown, "=", *value, ": a duration must not be negative"));
    }
  }
  return positional;
}

}  // namespace asio_console::console
