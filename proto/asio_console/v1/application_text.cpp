#include "asio_console/v1/application_text.hpp"

#include <boost/locale/utf.hpp>

#include "absl/strings/str_format.h"

namespace asio_console::v1 {
namespace {

namespace utf = boost::locale::utf;

bool reorders_text(utf::code_point c) {
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

// Calls on_char(first, last, code_point) for each valid character and on_byte(byte) for each byte
// of an invalid sequence (decoding resumes at the next byte).
template <typename OnChar, typename OnByte>
void decode(std::string_view text, OnChar on_char, OnByte on_byte) {
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p != end) {
    if (static_cast<unsigned char>(*p) >= 0x20 && static_cast<unsigned char>(*p) < 0x7f) {
      on_char(p, p + 1, static_cast<utf::code_point>(*p));  // ASCII: most text, no decoding
      ++p;
      continue;
    }
    const char* next = p;
    const utf::code_point c = utf::utf_traits<char>::decode(next, end);
    if (c == utf::illegal || c == utf::incomplete) {
      on_byte(static_cast<unsigned char>(*p));
      ++p;
    } else {
      on_char(p, next, c);
      p = next;
    }
  }
}

bool needs_escape(utf::code_point c) { return c < 0x20 || (c >= 0x7f && c <= 0x9f) || reorders_text(c); }

}  // namespace

bool is_printable_text(std::string_view text) noexcept {
  bool printable = true;
  decode(
      text, [&](const char*, const char*, utf::code_point c) { printable = printable && !needs_escape(c); },
      [&](unsigned char) { printable = false; });
  return printable;
}

std::string printable_text(std::string_view text) {
  if (is_printable_text(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  decode(
      text,
      [&](const char* first, const char* last, utf::code_point c) {
        if (!needs_escape(c)) {
          out.append(first, last);
        } else if (c == '\n') {
          out += "\\n";
        } else if (c == '\r') {
          out += "\\r";
        } else if (c == '\t') {
          out += "\\t";
        } else if (c < 0x80) {
          absl::StrAppendFormat(&out, "\\x%02x", c);
        } else {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        }
      },
      [&](unsigned char byte) { absl::StrAppendFormat(&out, "\\x%02x", byte); });
  return out;
}

}  // namespace asio_console::v1
