// Writing text into the terminal by display columns (UTF-8, wide characters), clipped to a width.
// The only place besides terminal.cpp that calls ncurses directly.
#pragma once

#include <string>
#include <string_view>

namespace asio_console::console {

/// Display columns `text` takes (a wide character takes two).
int display_width(std::string_view text);

/// `text` cut to at most `columns` display columns (with "…" when cut), padded to exactly `columns`
/// when `pad`; right-aligned when `right`.
std::string fit(std::string_view text, int columns, bool pad = true, bool right = false);

/// Text styles; with colors off, only bold, reverse and dim are used.
enum class style { normal, title, header, selected, running, scheduled, idle, completed, warning, error, dim, key };

/// Writes `text` at (row, column), clipped to the screen's right edge.
void put(int row, int column, std::string_view text, style s = style::normal);
/// Fills a row from `column` to the right edge with spaces in style `s`.
void fill_row(int row, int column, style s);
int screen_rows();
int screen_columns();

}  // namespace asio_console::console
