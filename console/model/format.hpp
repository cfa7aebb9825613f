// Text for numbers a person reads: durations, locations, percentages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "model/site.hpp"

namespace asio_console::console {

/// "850ns", "12.34µs", "1.20ms", "3.51s", "4m07s", "2h03m", "3d04h": three or four significant
/// digits, never more than 7 columns.
std::string format_duration(std::int64_t ns);

/// The file's last `components` path components: "src/server.cpp".
std::string_view short_file(std::string_view file, int components = 2);

/// "2026-12-02 01:51:03" in the local time zone: when something happened, to the second.
std::string format_wall_clock(absl::Time when);

/// "850 bytes", "12 KiB", "212 MiB": rounded down, three or four significant digits.
std::string format_bytes(std::uint64_t bytes);

/// "src/server.cpp:42".
std::string format_location(const source_location& location);

/// True if `needle` occurs in `text`, ignoring ASCII case.
bool contains_ignoring_case(std::string_view text, std::string_view needle);

/// A function name without its parameter list and return type, for narrow columns.
std::string_view short_function(std::string_view function);

}  // namespace asio_console::console
