#include "model/format.hpp"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace asio_console::console {

std::string format_wall_clock(absl::Time when) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", when, absl::LocalTimeZone());
}

std::string format_duration(std::int64_t ns) {
  if (ns < 0) ns = 0;
  const auto with_unit = [](double value, const char* unit) {
    if (value < 10) return absl::StrFormat("%.2f%s", value, unit);
    if (value < 100) return absl::StrFormat("%.1f%s", value, unit);
    return absl::StrFormat("%.0f%s", value, unit);
  };
  if (ns < 1'000) return absl::StrCat(ns, "ns");
  if (ns < 1'000'000) return with_unit(static_cast<double>(ns) / 1e3, "µs");
  if (ns < 1'000'000'000) return with_unit(static_cast<double>(ns) / 1e6, "ms");
  if (ns < 60'000'000'000) return with_unit(static_cast<double>(ns) / 1e9, "s");
  const std::int64_t seconds = ns / 1'000'000'000;
  if (seconds < 3600) return absl::StrFormat("%dm%02ds", seconds / 60, seconds % 60);
  if (seconds < 86400) return absl::StrFormat("%dh%02dm", seconds / 3600, seconds % 3600 / 60);
  return absl::StrFormat("%dd%02dh", seconds / 86400, seconds % 86400 / 3600);
}

std::string_view short_file(std::string_view file, int components) {
  std::size_t cut = file.size();
  for (int i = 0; i < components; ++i) {
    if (cut == 0) return file;
    cut = file.rfind('/', cut - 1);
    if (cut == std::string_view::npos) return file;
  }
  return file.substr(cut + 1);
}

std::string format_bytes(std::uint64_t bytes) {
  if (bytes < 10 * 1024) return absl::StrCat(bytes, " bytes");
  if (bytes < 10 * 1024 * 1024) return absl::StrCat(bytes / 1024, " KiB");
  return absl::StrCat(bytes / (1024 * 1024), " MiB");
}

std::string format_location(const source_location& location) {
  if (location.file.empty()) return location.function;
  return absl::StrCat(std::string(short_file(location.file)), ":", location.line);
}

bool contains_ignoring_case(std::string_view text, std::string_view needle) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != text.end();
}

std::string_view short_function(std::string_view function) {
  // Cut the parameter list: the last '(' at template depth 0.
  int depth = 0;
  std::size_t end = function.size();
  for (std::size_t i = 0; i < function.size(); ++i) {
    const char c = function[i];
    if (c == '<') ++depth;
    if (c == '>' && depth > 0) --depth;
    if (c == '(' && depth == 0 && i > 0 && !function.substr(0, i).ends_with("operator")) {
      end = i;
      break;
    }
  }
  std::string_view name = function.substr(0, end);
  // Drop GCC's ABI tag ("handle[abi:cxx11]", a function returning std::string): not part of the name.
  if (const std::size_t tag = name.rfind("[abi:"); tag != std::string_view::npos && name.ends_with(']')) {
    name = name.substr(0, tag);
  }
  // Drop a return type: the last space at template depth 0 before the name.
  depth = 0;
  for (std::size_t i = name.size(); i-- > 0;) {
    const char c = name[i];
    if (c == '>') ++depth;
    if (c == '<' && depth > 0) --depth;
    if (c == ' ' && depth == 0) return name.substr(i + 1);
  }
  return name;
}

}  // namespace asio_console::console
