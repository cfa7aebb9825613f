#include "view/canvas.hpp"
#include "view/screens.hpp"

namespace asio_console::console {

void draw_help_screen(const frame_context& context) {
  draw_chrome(context, "any key closes the help");
  int row = chrome_height(context) + 1;
  const char* lines[] = {
      "t            tasks view: every task, sortable",
      "s            sites view: tasks grouped by spawn location, by live count",
      "r            resources view (deep mode): timers, sockets, channels... and the tasks waiting on each",
      "enter        details of the selected task (stack, histograms), site (stacks, its tasks) or resource",
      "esc          back",
      "↑ ↓  k j     move the selection;  PgUp PgDn  Ctrl-U Ctrl-D  by a page;  g G  first, last",
      "← →  h l     choose the sort column;  i  invert the order",
      "/            filter by name, location, function or field (enter keeps it, esc clears it)",
      "space        pause / resume updates",
      "q  Ctrl-C    quit",
  };
  for (const char* line : lines) put(row++, 2, line);
  if (context.model.playback() != nullptr) {
    const char* replay_lines[] = {
        ",  .         replay: one publication back, forward (and pause)",
        "[  ]         replay: 10 s back, forward;  {  }  the start, the end",
    };
    for (const char* line : replay_lines) put(row++, 2, line);
  }
  const char* lint_lines[] = {
      "",
      "Lints (⚠ in the Warn column; thresholds are flags, see asio-console --help):",
  };
  for (const char* line : lint_lines) put(row++, 2, line);
  for (lint_kind kind : all_lint_kinds) {
    put(row, 4, std::string(lint_name(kind)), style::warning);
    put(row++, 20, explain_lint(kind, context.model.options().thresholds));
  }
}

}  // namespace asio_console::console
