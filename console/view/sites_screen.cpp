#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "model/format.hpp"
#include "model/site_diagnosis.hpp"
#include "view/canvas.hpp"
#include "view/screens.hpp"

namespace asio_console::console {
namespace {

constexpr int stacks_shown = 3;
constexpr int frames_per_stack = 5;

std::uint64_t total(const std::vector<stack_count>& stacks) {
  std::uint64_t sum = 0;
  for (const stack_count& stack : stacks) sum += stack.count;
  return sum;
}

// A heading, up to stacks_shown stacks of up to frames_per_stack frames, a blank line.
int stack_section_height(const std::vector<visible_stack>& stacks) {
  int rows = 2;
  const int shown = std::min<int>(stacks_shown, static_cast<int>(stacks.size()));
  for (int i = 0; i < shown; ++i) rows += 1 + frames_per_stack;
  return shown == 0 ? rows + 1 : rows;
}

int draw_stack_section(int row, std::string_view heading, std::string_view none, const std::vector<visible_stack>& stacks) {
  put(row++, 1, heading, style::header);
  if (stacks.empty()) put(row++, 3, none, style::dim);
  for (int i = 0; i < std::min<int>(stacks_shown, static_cast<int>(stacks.size())); ++i) {
    const visible_stack& stack = stacks[static_cast<std::size_t>(i)];
    put(row, 3, absl::StrCat("×", stack.count), style::key);
    if (!stack.wait_reason.empty()) put(row, 12, absl::StrCat("awaiting ", stack.wait_reason), style::dim);
    ++row;
    for (int f = 0; f < frames_per_stack; ++f) {
      if (!stack.symbolized) {
        if (f == 0) put(row, 5, "symbolizing…", style::dim);
      } else if (static_cast<std::size_t>(f) < stack.frames.size()) {
        const frame& fr = *stack.frames[static_cast<std::size_t>(f)];
        put(row, 5, std::string(short_function(fr.function)));
        if (!fr.file.empty()) {
          put(row, std::max(5, screen_columns() / 2), absl::StrCat(std::string(short_file(fr.file, 3)), ":", fr.line),
              style::dim);
        }
      }
      ++row;
    }
  }
  return row + 1;
}

// "report_metrics_forever (timer wait) ×2029": the innermost visible frame of the site's most common
// await stack, what it waits for and how many of its idle tasks wait there.
std::string waiting_summary(const site_summary& s, const frame_context& context) {
  if (s.where->unrecorded != 0 && s.live == 0) return absl::StrCat(s.where->unrecorded, " spawns unrecorded (executor type)");
  if (s.await_stacks.empty()) return "";
  const std::vector<visible_stack> waiting = visible_stacks(s.await_stacks, context.model, context.frames, stack_kind::await);
  const visible_stack& top = waiting.front();
  if (!top.symbolized) return "symbolizing…";
  std::string out = top.frames.empty() ? "" : std::string(short_function(top.frames.front()->function));
  if (!top.wait_reason.empty()) absl::StrAppend(&out, out.empty() ? "" : " ", "(", top.wait_reason, ")");
  return absl::StrCat(out, " ×", top.count);
}

}  // namespace

void draw_sites_screen(const frame_context& context, const std::vector<site_summary>& rows) {
  draw_chrome(context, "t tasks  s sites  enter stacks and tasks  / filter  space pause  ? help  q quit");
  const int top = chrome_height(context);
  put(top, 0, absl::StrFormat("%-4s %8s %8s %9s %9s %11s  %-32s %-36s %s", "Warn", "Live▼", "Idle", "Spawned",
                              "Completed", "Growth/min", "Location", "Function", "Idle tasks wait in"),
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
        absl::StrFormat("%8d %8d %9d %9d %+11.1f  %s %s %s", s.live, s.idle, s.spawned, s.completed, s.growth_per_minute,
                        fit(format_location(s.where->location), 32), fit(short_function(s.where->location.function), 36),
                        waiting_summary(s, context)),
        selected ? style::selected : style::normal);
  }
  if (rows.empty()) put(top + 2, 2, context.model.ready() ? "no sites match" : "waiting for the first snapshot…", style::dim);
}

int site_screen_list_top(const frame_context& context, const site_stacks& stacks) {
  return chrome_height(context) + 3 + stack_section_height(stacks.waiting) + stack_section_height(stacks.spawned);
}

void draw_site_screen(const frame_context& context, const site_summary& shown, const site_stacks& stacks,
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
  if (const std::string diagnosis = diagnose_site(shown, context.model, context.frames); !diagnosis.empty()) {
    put(row++, 1, diagnosis, shown.leak_suspect ? style::warning : style::normal);
  }
  row = draw_stack_section(row,
                           absl::StrCat("Where its idle tasks wait (", total(shown.await_stacks), " of the ", shown.idle,
                                        " idle; library frames left out)"),
                           "no idle task is suspended in a coroutine of its own", stacks.waiting);
  row = draw_stack_section(row,
                           absl::StrCat("Sampled spawn stacks (", total(shown.stacks), " of the ", shown.known,
                                        " tasks shown; library frames left out)"),
                           "none sampled among the tasks shown", stacks.spawned);
  draw_task_table(context, site_screen_list_top(context, stacks), rows, /*show_sort=*/false);
}

}  // namespace asio_console::console
