#include "view/canvas.hpp"

#include <ncurses.h>

#include <cwchar>

#include "view/terminal.hpp"

namespace asio_console::console {
namespace {

// Decodes one UTF-8 character at `at`; returns its length in bytes (1 for invalid bytes).
std::size_t decode(std::string_view text, std::size_t at, wchar_t& out) {
  std::mbstate_t state{};
  const std::size_t length = std::mbrtowc(&out, text.data() + at, text.size() - at, &state);
  if (length == 0 || length > text.size() - at) {
    out = L'?';
    return 1;
  }
  return length;
}

int width_of(wchar_t c) {
  const int w = ::wcwidth(c);
  return w < 0 ? 1 : w;
}

}  // namespace

int display_width(std::string_view text) {
  int width = 0;
  for (std::size_t at = 0; at < text.size();) {
    wchar_t c;
    at += decode(text, at, c);
    width += width_of(c);
  }
  return width;
}

std::string fit(std::string_view text, int columns, bool pad, bool right) {
  if (columns <= 0) return {};
  std::string out;
  int width = 0;
  const int total = display_width(text);
  if (total <= columns) {
    out.assign(text);
    width = total;
  } else {
    for (std::size_t at = 0; at < text.size();) {
      wchar_t c;
      const std::size_t length = decode(text, at, c);
      if (width + width_of(c) > columns - 1) break;
      out.append(text.substr(at, length));
      width += width_of(c);
      at += length;
    }
    out += "…";
    width += 1;
  }
  if (pad && width < columns) {
    const std::string spaces(static_cast<std::size_t>(columns - width), ' ');
    out = right ? spaces + out : out + spaces;
  }
  return out;
}

void put(int row, int column, std::string_view text, style s) {
  const int columns = COLS - column;
  if (row < 0 || row >= LINES || columns <= 0) return;
  const std::string clipped = fit(text, columns, /*pad=*/false);
  const attr_t attributes = terminal::attributes(s);
  attron(attributes);
  mvaddstr(row, column, clipped.c_str());
  attroff(attributes);
}

void fill_row(int row, int column, style s) {
  if (row < 0 || row >= LINES || column >= COLS) return;
  put(row, column, std::string(static_cast<std::size_t>(COLS - column), ' '), s);
}

int screen_rows() { return LINES; }
int screen_columns() { return COLS; }

}  // namespace asio_console::console
