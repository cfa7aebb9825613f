// The resources view (deep mode) and a resource's screen: the tasks waiting on it.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "model/format.hpp"
#include "view/canvas.hpp"
#include "view/screens.hpp"

namespace asio_console::console {
namespace {

std::string handle_text(const resource& r) { return r.native_handle ? absl::StrCat(*r.native_handle) : "-"; }
std::string endpoint_text(const std::string& endpoint) { return endpoint.empty() ? "-" : endpoint; }

std::string idle_text(const resource& r, std::int64_t now_ns) {
  if (r.closed()) return "closed";
  if (r.pending_ops != 0) return "-";
  return format_duration(r.idle_for_ns(now_ns));
}

// Why the list is empty: the process is not deep, nothing matched, or nothing arrived yet.
const char* empty_list_text(const state& model) {
  if (!model.ready()) return "waiting for the first snapshot…";
  if (!model.deep_mode()) return "no resources: the process is not built in deep mode (link asio_console::deep)";
  return "no resources match";
}

}  // namespace

void draw_resources_screen(const frame_context& context, const std::vector<const resource*>& rows) {
  draw_chrome(context, "t tasks  s sites  r resources  enter waiting tasks  / filter  space pause  ? help  q quit");
  const int top = chrome_height(context);
  std::size_t open = 0;
  for (const auto& [id, r] : context.model.resources()) open += !r.closed();
  put(top, 1, absl::StrCat("Resources: ", open, " open, ", context.model.resources().size() - open, " closed (retained)"),
      style::header);
  put(top + 1, 0,
      absl::StrFormat("%7s %-15s %6s %-22s %-22s %7s %8s %6s %7s", "ID", "Kind", "FD", "Local", "Remote", "Pending",
                      "Started", "Tasks", "Idle"),
      style::header);
  const list_cursor& cursor = context.nav.cursor();
  const int page = list_rows(top + 1);
  const std::int64_t now = context.model.now_ns();
  for (int i = 0; i < page; ++i) {
    const std::size_t index = cursor.first_visible + static_cast<std::size_t>(i);
    if (index >= rows.size()) break;
    const resource& r = *rows[index];
    const int y = top + 2 + i;
    const bool selected = index == cursor.selected;
    if (selected) fill_row(y, 0, style::selected);
    const style s = selected ? style::selected : r.closed() ? style::completed : style::normal;
    put(y, 0,
        absl::StrFormat("%7d %-15s %6s %-22s %-22s %7d %8d %6d %7s", r.id, fit(r.kind, 15), handle_text(r),
                        fit(endpoint_text(r.local), 22), fit(endpoint_text(r.remote), 22), r.pending_ops, r.ops_started,
                        context.model.tasks_waiting_on(r.id).size(), idle_text(r, now)),
        s);
  }
  if (rows.empty()) put(top + 3, 2, empty_list_text(context.model), style::dim);
}

int resource_screen_list_top(const frame_context& context) { return chrome_height(context) + 3; }

void draw_resource_screen(const frame_context& context, const resource* shown, const std::vector<const task*>& rows) {
  draw_chrome(context, "esc back  enter task details  t tasks  r resources  space pause  ? help  q quit");
  int row = chrome_height(context);
  if (shown == nullptr) {
    put(row + 1, 2, "this resource is gone: the process no longer keeps it", style::dim);
    return;
  }
  std::string title = absl::StrCat("Resource #", shown->id, "  ", shown->kind);
  if (shown->native_handle) absl::StrAppend(&title, "  fd ", *shown->native_handle);
  if (!shown->local.empty()) absl::StrAppend(&title, "  local ", shown->local);
  if (!shown->remote.empty()) absl::StrAppend(&title, "  remote ", shown->remote);
  put(row++, 1, title, style::header);
  const std::int64_t now = context.model.now_ns();
  std::string counts = absl::StrCat("operations: ", shown->pending_ops, " pending, ", shown->ops_started, " started   ",
                                    "first ", format_duration(std::max<std::int64_t>(0, now - shown->created_ns)), " ago");
  if (shown->closed()) {
    absl::StrAppend(&counts, "   closed ", format_duration(std::max<std::int64_t>(0, now - shown->closed_ns)), " ago");
  } else if (shown->pending_ops == 0) {
    absl::StrAppend(&counts, "   idle for ", format_duration(shown->idle_for_ns(now)));
  }
  put(row++, 1, counts, shown->closed() ? style::completed : style::normal);
  put(row++, 1, absl::StrCat("Tasks waiting on it (", rows.size(), ")"), style::header);
  draw_task_table(context, resource_screen_list_top(context), rows, /*show_sort=*/false);
}

}  // namespace asio_console::console
