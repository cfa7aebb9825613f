// Application text, shown safely.
//
// The protocol's `bytes` fields carry text the application chose (task names, field values, source
// paths, function names, endpoints): any bytes, never checked. Everything that shows one (the
// console's screens, `dump` as text, stacks and JSON, the metrics endpoint's labels) shows it
// through printable_text, so that no value can break a message, a JSON document or a label, or reach
// a terminal as a command:
//   - valid UTF-8 stays as it is ("café", "日本");
//   - every byte of an invalid UTF-8 sequence becomes \xNN ("q=\xff\xfe");
//   - control characters become \n, \r, \t or \xNN (ESC is \x1b, DEL \x7f), the C1 controls
//     \u0080 to \u009f, and the characters that reorder what follows them on screen
//     (U+202A..U+202E, U+2066..U+2069) \u202e and the like.
// A backslash stays a backslash: "\x41" in the application's text reads the same as an escaped
// byte, which no reader needs to tell apart.
#pragma once

#include <string>
#include <string_view>

namespace asio_console::v1 {

// `text` with invalid UTF-8 and control characters escaped, as above.
std::string printable_text(std::string_view text);

// True when printable_text(text) == text (no allocation).
bool is_printable_text(std::string_view text) noexcept;

}  // namespace asio_console::v1
