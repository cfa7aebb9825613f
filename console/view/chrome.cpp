#include <algorithm>
#include <array>
#include <optional>

#include "absl/strings/str_cat.h"
#include "model/format.hpp"
#include "view/canvas.hpp"
#include "view/screens.hpp"

namespace asio_console::console {
namespace {
constexpr int max_warning_lines = 5;

std::string link_text(const link_status& link) {
  switch (link.current) {
    case link_status::phase::connected: return "● connected";
    case link_status::phase::connecting: return "◌ connecting…";
    case link_status::phase::closed: return "✖ disconnected";
    case link_status::phase::waiting_to_retry: {
      const std::int64_t in_ns = std::max<std::int64_t>(0, absl::ToInt64Nanoseconds(link.retry_at - absl::Now()));
      return absl::StrCat("✖ disconnected, retrying in ", format_duration(in_ns));
    }
  }
  return "";
}

// Where a replay stands: "▶ replay 12.0s / 15.0s · publication 12/15 · 2026-12-02 01:51:03".
std::string playback_text(const playback_status& at) {
  return absl::StrCat(at.playing && at.at_ns < at.duration_ns ? "▶" : "‖", " replay ", format_duration(at.at_ns), " / ",
                      format_duration(at.duration_ns), " · publication ", at.publication, "/", at.publications, " · ",
                      format_wall_clock(at.wall_clock()));
}

// The one error line under the title: the link's, else the last pause's or symbolization's; in a
// replay, a recording cut short or a message in it the model could not apply.
std::string error_line(const state& model) {
  if (const playback_status* at = model.playback(); at != nullptr) {
    if (!model.last_error().empty()) return absl::StrCat("cannot replay this part: ", model.last_error());
    if (!at->cut_short.empty()) return absl::StrCat("the recording ", at->cut_short, "; shown up to there");
  }
  if (!model.link().last_error.empty()) return absl::StrCat("last error: ", model.link().last_error);
  if (!model.time().error().empty()) return absl::StrCat("pause failed: ", model.time().error());
  if (!model.symbolize_error().empty()) return absl::StrCat("symbolizing failed: ", model.symbolize_error());
  return {};
}
}  // namespace

int chrome_height(const frame_context& context) {
  const int warnings =
      static_cast<int>(std::min<std::size_t>(context.model.lints().warnings.size(), max_warning_lines));
  return 1 + (warnings > 0 ? warnings + 1 : 0) + (error_line(context.model).empty() ? 0 : 1);
}

int list_rows(int list_top) { return std::max(1, screen_rows() - 1 - (list_top + 1)); }

void draw_chrome(const frame_context& context, std::string_view hints) {
  const std::array<std::uint64_t, 4>& by_state = context.model.tasks_by_state();
  fill_row(0, 0, style::title);
  const state& model = context.model;
  std::string title = absl::StrCat(" asio-console  ", std::string(context.target), "  ",
                                   model.playback() ? playback_text(*model.playback()) : link_text(model.link()));
  // In a replay, where the recorded target was gone (until its next stream): the tasks shown are
  // the last it sent, not live ones.
  if (model.playback() && model.link().current == link_status::phase::waiting_to_retry) {
    absl::StrAppend(&title, "  ✖ target gone: ", model.link().last_error);
  }
  // A connection can stay open to a target that stopped: its numbers are then frozen, and said so.
  if (const std::optional<absl::Duration> silence = model.overdue_silence(absl::Now())) {
    absl::StrAppend(&title, ", no update for ", format_duration(absl::ToInt64Nanoseconds(*silence)));
  }
  // PAUSED only once the target confirmed it on this stream: then no data flows.
  if (model.time().paused()) absl::StrAppend(&title, model.time().changing() ? "  ‖ resuming…" : "  ‖ PAUSED");
  if (!model.time().paused() && model.time().changing()) absl::StrAppend(&title, "  ‖ pausing…");
  absl::StrAppend(&title, "   tasks: ", by_state[0], " running, ", by_state[1], " scheduled, ", by_state[2], " idle, ",
                  by_state[3], " completed");
  if (const std::uint64_t unrecorded = context.model.counters().unrecorded; unrecorded != 0) {
    absl::StrAppend(&title, "   ", unrecorded, " unrecorded (executor type)");
  }
  if (!model.await_stacks_off_reason().empty()) {
    absl::StrAppend(&title, "   no await stacks: ", model.await_stacks_off_reason());
  }
  put(0, 0, title, style::title);
  int row = 1;
  if (const std::string error = error_line(model); !error.empty()) put(row++, 1, error, style::error);
  const std::vector<warning_summary>& warnings = model.lints().warnings;
  if (!warnings.empty()) {
    put(row++, 1, absl::StrCat("Warnings (", warnings.size(), ")"), style::header);
    for (std::size_t i = 0; i < warnings.size() && i < max_warning_lines; ++i) {
      put(row++, 2, absl::StrCat("⚠ ", warnings[i].message), style::warning);
    }
  }
  const int footer = screen_rows() - 1;
  fill_row(footer, 0, style::normal);
  if (context.nav.typing_filter()) {
    put(footer, 0, absl::StrCat("/", context.nav.filter(), "▏  (enter: keep, esc: clear)"), style::key);
  } else {
    std::string line(hints);
    if (model.playback() != nullptr) line = absl::StrCat(", . step  [ ] 10s  { } start/end  ", line);
    if (!context.nav.filter().empty()) line = absl::StrCat("filter: \"", context.nav.filter(), "\"  ", line);
    put(footer, 0, line, style::dim);
  }
}

}  // namespace asio_console::console
