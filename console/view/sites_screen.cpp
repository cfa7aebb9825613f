#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "model/format.hpp"
#include "view/canvas.hpp"
#include "view/screens.hpp"

namespace asio_console::console {
namespace {

constexpr int stacks_shown = 3;
constexpr int frames_per_stack = 6;

std::uint64_t sampled(const site_summary& s) {
  std::uint64_t total = 0;
  for (const stack_count& stack : s.stacks) total += stack.count;
  return total;
}

int stack_section_height(const std::vector<visible_stack>& stacks) {
  int rows = 2;  // heading, blank line after
  for (int i = 0; i < std::min<int>(stacks_shown, static_cast<int>(stacks.size())); ++i) rows += 1 + frames_per_stack;
  return stacks.empty() ? rows + 1 : rows;
}

}  // namespace

void draw_sites_screen(const frame_context& context, const std::vector<site_summary>& rows) {
  draw_chrome(context, "t tasks  s sites  enter stacks and tasks  / filter  space pause  ? help  q quit");
  const int top = chrome_height(context);
  put(top, 0, absl::StrFormat("%-4s %8s %8s %9s %9s %11s  %-32s %s", "Warn", "Live▼", "Idle", "Spawned", "Completed",
                              "Growth/min", "Location", "Function"),
      style::header);
  const list_cursor& cursor = context.nav.cursor();
  const int page = list_rows(top);
  for (int i = 0; i < page; ++i) {
    const std::size_t index = cursor.first_visible + static_cast<std::size_t>(i);
    if (index >= rows.size()) break;
    const site_summary& s = rows[index];
    const int y = top + 1 + i;
    const bool selected = index == cursor.selected;
    if (selected) fill_row(y, 0, style::selected);
    put(y, 0, s.leak_suspect ? "⚠" : "", selected ? style::selected : style::warning);
    put(y, 5,
        absl::StrFormat("%8d %8d %9d %9d %+11.1f  %s %s", s.live, s.idle, s.spawned, s.completed, s.growth_per_minute,
                        fit(format_location(s.where->location), 32), short_function(s.where->location.function)),
        selected ? style::selected : style::normal);
  }
  if (rows.empty()) put(top + 2, 2, context.model.ready() ? "no sites match" : "waiting for the first snapshot…", style::dim);
}

int site_screen_list_top(const frame_context& context, const std::vector<visible_stack>& stacks) {
  return chrome_height(context) + 2 + stack_section_height(stacks);
}

void draw_site_screen(const frame_context& context, const site_summary& shown, const std::vector<visible_stack>& stacks,
                      const std::vector<const task*>& rows) {
  draw_chrome(context, "esc back  enter task details  t tasks  s sites  space pause  ? help  q quit");
  int row = chrome_height(context);
  const source_location& at = shown.where->location;
  put(row++, 1, absl::StrCat("Site ", at.file, ":", at.line, "  in ", at.function), style::header);
  put(row++, 1,
      absl::StrFormat("live %d   idle %d   spawned %d   completed %d   growth %+.1f/min%s", shown.live, shown.idle,
                      shown.spawned, shown.completed, shown.growth_per_minute,
                      shown.leak_suspect ? "   ⚠ leak-suspect: live count keeps growing while its tasks stay idle" : ""),
      shown.leak_suspect ? style::warning : style::normal);
  put(row++, 1, absl::StrCat("Sampled spawn stacks (", sampled(shown), " of the ", shown.task_ids.size(),
                             " tasks shown; library frames left out)"),
      style::header);
  if (stacks.empty()) put(row++, 3, "none sampled among the tasks shown", style::dim);
  for (int i = 0; i < std::min<int>(stacks_shown, static_cast<int>(stacks.size())); ++i) {
    const visible_stack& stack = stacks[static_cast<std::size_t>(i)];
    put(row++, 3, absl::StrCat("×", stack.count), style::key);
    for (int f = 0; f < frames_per_stack; ++f) {
      if (stack.frames.empty()) {
        if (f == 0) put(row, 5, "symbolizing…", style::dim);
      } else if (static_cast<std::size_t>(f) < stack.frames.size()) {
        const frame& fr = *stack.frames[static_cast<std::size_t>(f)];
        put(row, 5, std::string(short_function(fr.function)));
        if (!fr.file.empty()) put(row, std::max(5, screen_columns() / 2), absl::StrCat(std::string(short_file(fr.file, 3)), ":", fr.line), style::dim);
      }
      ++row;
    }
  }
  draw_task_table(context, site_screen_list_top(context, stacks), rows, /*show_sort=*/false);
}

}  // namespace asio_console::console
